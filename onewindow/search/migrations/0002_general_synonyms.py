"""The index stamp's row and the general synonyms every installation starts with
(docs/rules/search.md §N3). Administrators edit them in the admin afterwards."""

from django.db import migrations

# term → what it means, in the words item names use (any catalog, not only the demo's).
GENERAL_SYNONYMS = {
    "护照": "普通护照签发、出入境证件、护照签发",
    "出国": "普通护照签发、出入境证件",
    "身份证": "居民身份证、户口",
    "户口": "户口迁移、户籍",
    "落户": "户口迁移、户籍",
    "迁户口": "户口迁移",
    "开饭店": "食品经营许可、餐饮服务",
    "开餐馆": "食品经营许可、餐饮服务",
    "开餐厅": "食品经营许可、餐饮服务",
    "饭店": "食品经营许可、餐饮服务",
    "餐馆": "食品经营许可、餐饮服务",
    "饭馆": "食品经营许可、餐饮服务",
    "餐饮": "食品经营许可、餐饮服务",
    "小吃店": "食品小经营许可、食品经营许可",
    "小卖部": "食品小经营许可、烟草专卖零售许可",
    "便利店": "食品经营许可、烟草专卖零售许可",
    "超市": "食品经营许可、烟草专卖零售许可",
    "开公司": "市场主体设立登记、企业设立登记、公司设立登记",
    "注册公司": "市场主体设立登记、企业设立登记、公司设立登记",
    "营业执照": "市场主体设立登记、个体工商户设立登记、企业设立登记",
    "个体户": "个体工商户设立登记",
    "开店": "个体工商户设立登记、食品经营许可",
    "驾照": "机动车驾驶证",
    "驾驶证": "机动车驾驶证",
    "结婚": "结婚登记、婚姻登记",
    "离婚": "离婚登记、婚姻登记",
    "房产证": "不动产登记",
    "房本": "不动产登记",
    "过户": "不动产登记",
    "公积金": "住房公积金提取、住房公积金个人住房贷款",
    "医保": "基本医疗保险参保登记、医疗保险",
    "社保": "社会保险参保登记、基本医疗保险参保登记",
    "药店": "药品零售企业许可、药品经营许可",
    "诊所": "医疗机构设置审批、医疗机构执业登记",
    "网吧": "互联网上网服务营业场所",
    "歌厅": "娱乐场所经营许可",
    "ktv": "娱乐场所经营许可",
    "书店": "出版物零售",
    "宾馆": "旅馆业特种行业许可",
    "民宿": "旅馆业特种行业许可",
    "砍树": "林木采伐许可",
    "盖房子": "乡村建设规划许可、建筑工程施工许可",
    "建房": "乡村建设规划许可、建筑工程施工许可",
    "卖烟": "烟草专卖零售许可",
    "打官司": "法律援助",
    "教师资格证": "教师资格认定",
    "挖马路": "占用、挖掘城市道路审批",
    "广告牌": "户外广告设置许可",
}


def forwards(apps, schema_editor):
    IndexStamp = apps.get_model("search", "IndexStamp")
    Synonym = apps.get_model("search", "Synonym")
    IndexStamp.objects.get_or_create(pk=1, defaults={"token": "initial"})
    for term, expansions in GENERAL_SYNONYMS.items():
        Synonym.objects.get_or_create(term=term, defaults={"expansions": expansions})


def backwards(apps, schema_editor):
    apps.get_model("search", "Synonym").objects.filter(term__in=GENERAL_SYNONYMS).delete()


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
