"""Normalisation and words (docs/rules/search.md §N1), pinyin (docs/rules/search.md §N3) and the
fuzzy threshold (docs/rules/search.md §N4)."""

from __future__ import annotations

from onewindow.search.engine import fuzzy_threshold
from onewindow.search.text import MAX_QUERY_CHARS, SEGMENTER, normalise, pinyin_forms, query_words


def test_normalise_folds_full_width_drops_punctuation_emoji_and_spaces():
    assert normalise("ＫＴＶ，营业执照！") == "ktv营业执照"
    assert normalise("  <b>护照</b>😀 ") == "b护照b"
    assert normalise("？？？、；") == ""


def test_query_words_split_on_whitespace_and_join_spaced_pinyin():
    assert query_words("食品　小") == (["食品", "小"], False)  # full-width space
    assert query_words("ying ye zhi zhao") == (["yingyezhizhao"], False)


def test_a_long_query_is_cut_to_its_first_hundred_characters():
    words, truncated = query_words("护" * 1000)
    assert truncated
    assert words == ["护" * MAX_QUERY_CHARS]
    assert query_words("护" * MAX_QUERY_CHARS) == (["护" * MAX_QUERY_CHARS], False)


def test_pinyin_forms_give_full_pinyin_and_initials():
    assert pinyin_forms("营业执照") == ("yingyezhizhao", "yyzz")
    assert pinyin_forms("ktv许可") == ("ktvxuke", "ktvxk")


def test_one_wrong_character_passes_the_threshold_two_do_not():
    from rapidfuzz import fuzz

    assert fuzz.partial_ratio("营业执昭", "营业执照") >= fuzzy_threshold(4)
    assert fuzz.partial_ratio("营亚执昭", "营业执照") < fuzzy_threshold(4)
    assert fuzz.partial_ratio("食品经营许司", "食品经营许可") >= fuzzy_threshold(6)


def test_the_segmenter_keeps_user_words_whole(tmp_path):
    SEGMENTER.add_words(["开小卖部"], tmp_path)
    assert "开小卖部" in SEGMENTER.cut("我想开小卖部", tmp_path)
    assert "食品" in SEGMENTER.cut_for_search("食品经营许可", tmp_path)
