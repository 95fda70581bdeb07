"""The site's help (docs/rules/publicity.md §L5–§L8): help pages, links (友情链接) and the
error reports (网站找错) visitors send."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.personal_data import SealedCharField

TITLE_MAX = 100
BODY_MAX = 20_000
DESCRIPTION_MAX = 2_000
CONTACT_MAX = 100
PAGE_URL_MAX = 500

# docs/rules/publicity.md §L6: a link goes to a web page over http or https, nothing else
# (javascript:, data:, file: … are refused).
web_url = URLValidator(
    schemes=["http", "https"], message=_("请输入以 http:// 或 https:// 开头的网址。")
)
slug_format = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$", _("页面标识只能由小写字母、数字和连字符组成。")
)


class Audience(models.TextChoices):
    ALL = "all", _("所有用户")
    PERSON = "person", _("个人")
    ENTERPRISE = "enterprise", _("企业")
    AGENT = "agent", _("代理人")


class HelpPage(models.Model):
    """One page of user help (用户帮助), plain text with a few line marks (sitehelp.markup)."""

    slug = models.CharField(_("页面标识"), max_length=50, unique=True, validators=[slug_format])
    title = models.CharField(_("标题"), max_length=TITLE_MAX)
    summary = models.CharField(_("摘要"), max_length=200, blank=True)
    body = models.TextField(
        _("正文"),
        max_length=BODY_MAX,
        help_text=_(
            "纯文本：空行分段；以“## ”开头的行为小标题，以“- ”开头的行为列表项，以“1. ”等开头的行为步骤。"
        ),
    )
    audience = models.CharField(
        _("适用对象"), max_length=12, choices=Audience.choices, default=Audience.ALL
    )
    sort = models.PositiveSmallIntegerField(_("排序"), default=100)
    published = models.BooleanField(_("公开"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("帮助页面")
        verbose_name_plural = _("帮助页面")
        ordering = ["sort", "pk"]

    def __str__(self) -> str:
        return self.title


class LinkCategory(models.TextChoices):
    GOVERNMENT = "government", _("政府网站")
    SERVICE = "service", _("政务服务平台")
    DEPARTMENT = "department", _("部门网站")
    OTHER = "other", _("其他")


class Link(models.Model):
    """A link to another site (友情链接)."""

    name = models.CharField(_("网站名称"), max_length=TITLE_MAX)
    url = models.CharField(_("网址"), max_length=PAGE_URL_MAX, validators=[web_url])
    category = models.CharField(
        _("类别"), max_length=12, choices=LinkCategory.choices, default=LinkCategory.GOVERNMENT
    )
    sort = models.PositiveSmallIntegerField(_("排序"), default=100)
    published = models.BooleanField(_("公开"), default=True)

    class Meta:
        verbose_name = _("友情链接")
        verbose_name_plural = _("友情链接")
        ordering = ["category", "sort", "pk"]

    def __str__(self) -> str:
        return self.name


class ErrorReport(models.Model):
    """A visitor's report of an error on the site (网站找错)."""

    page_url = models.CharField(_("出错页面"), max_length=PAGE_URL_MAX)
    description = models.TextField(_("问题描述"), max_length=DESCRIPTION_MAX)
    contact = SealedCharField(
        _("联系方式"), max_length=CONTACT_MAX, blank=True
    )  # docs/rules/privacy.md §P1
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交用户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), db_index=True)
    handled = models.BooleanField(_("已处理"), default=False)
    note = models.TextField(_("处理说明"), blank=True)

    class Meta:
        verbose_name = _("网站找错")
        verbose_name_plural = _("网站找错")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.page_url}: {self.description[:30]}"
