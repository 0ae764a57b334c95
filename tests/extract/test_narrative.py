from __future__ import annotations

import pytest

from pipelines.extract.identities import evaluate_identities
from pipelines.extract.narrative import read_narrative


def _values(text: str, report_format: str = "legacy") -> dict[str, float | None]:
    values, _ = read_narrative([(text, 0, None)], report_format)
    return {v.metric: v.value for v in values}


@pytest.mark.parametrize(
    ("sentence", "metric", "expected"),
    [
        ("全年主动公开政府信息2645条，主要通过政府网站公开。", "n.proactive.total", 2645),
        ("2016年全区主动公开政府信息3460条。", "n.proactive.total", 3460),
        ("未收到公民、法人或其他组织的政府信息公开申请。", "n.applications.received", 0),
        ("共收到有关政府信息公开的申请21条。", "n.applications.received", 21),
        ("市政府办公厅代表市政府共受理政府信息公开申请859件。", "n.applications.received", 859),
        ("政府信息公开检索、复制、邮寄等服务均未收费。", "n.fees.amount", 0),
        ("全年未收取任何费用。", "n.fees.amount", 0),
        ("收取检索、复制等费用120元。", "n.fees.amount", 120),
        ("未发生因政府信息公开申请行政复议、提起行政诉讼的情况。", "n.reconsideration.total", 0),
        ("未发生因政府信息公开申请行政复议、提起行政诉讼的情况。", "n.litigation.total", 0),
        ("因政府信息公开申请行政复议3件、提起行政诉讼2件。", "n.reconsideration.total", 3),
        ("因政府信息公开申请行政复议3件、提起行政诉讼2件。", "n.litigation.total", 2),
        ("全年因政府信息公开工作被申请行政复议的案件0件。", "n.reconsideration.total", 0),
        ("被提起行政诉讼的案件1件。", "n.litigation.total", 1),
        ("全年累计主动公开政府信息15678条，其中本年度新增公开3456条。", "n.proactive.total", 3456),
        ("本年度无政府信息公开申请。", "n.applications.received", 0),
        ("全年共办理依申请公开事项9件。", "n.applications.received", 9),
        ("收到依申请公开申请表5份。", "n.applications.received", 5),
        ("共收取检索复制费用合计35.5元。", "n.fees.amount", 35.5),
        ("本年度未发生政府信息公开收费情况。", "n.fees.amount", 0),
        (
            "共受理政府信息公开申请17件，同意公开的12件，部分公开的3件，不予公开的2件。",
            "n.applications.partial",
            3,
        ),
    ],
)
def test_phrases(sentence: str, metric: str, expected: float) -> None:
    assert _values(sentence)[metric] == expected


def test_an_application_type_is_not_an_application_count() -> None:
    assert "n.applications.received" not in _values("对无正当理由大量反复申请的不予处理。")


def test_cumulative_figures_are_not_this_years() -> None:
    text = "门户网站累计发布信息98000条。全年主动公开政府信息1200条。"
    assert _values(text)["n.proactive.total"] == 1200


def test_total_with_matching_breakdown_is_chosen() -> None:
    text = (
        "三、主动公开政府信息情况\n（一）主动公开数量\n"
        "2016年,政府信息公开系统共填报信息总数达5491条,审核推送信息3796条,其中:概况信息31条,政府文件179条,"
        "动态信息2780条,突发事件信息9条,财政信息181条,重大项目信息426条,计划报告53条,人事信息16条,其他信息121条。"
    )
    assert _values(text)["n.proactive.total"] == 3796


def test_breakdown_that_does_not_sum_is_a_finding() -> None:
    values, narrative_findings = read_narrative(
        [("2016年,行政复议数量为4件,其中维持具体行政行为数1件,其他情形数2件。", 0, None)], "legacy"
    )
    [reconsideration] = [v for v in values if v.metric == "n.reconsideration.total"]
    assert reconsideration.value == 4
    assert reconsideration.evidence["breakdown"] == [1, 2]
    assert narrative_findings == []  # the narrative reads the parts; identities.py judges them

    findings, checks = evaluate_identities(values)
    assert [(f.check, f.metric, f.message) for f in findings] == [
        (
            "legacy.identity.breakdown_sum",
            "n.reconsideration.total",
            "n.reconsideration.total: stated 4 but its breakdown sums to 1 + 2 = 3",
        )
    ]
    assert findings[0].values == {"total": 4, "parts": [1, 2]}
    assert [(c.check, c.metric, c.status) for c in checks] == [
        ("legacy.identity.breakdown_sum", "n.reconsideration.total", "failed")
    ]


def test_breakdown_that_sums_passes() -> None:
    values, _ = read_narrative([("行政诉讼案件共3件，其中维持1件、撤销2件。", 0, None)], "legacy")
    findings, checks = evaluate_identities(values)
    assert findings == []
    assert [(c.check, c.metric, c.status) for c in checks] == [
        ("legacy.identity.breakdown_sum", "n.litigation.total", "passed")
    ]
