"""`make bench` cases for the risk register (bench.run autodiscovers them): the register
now and as at a past quarter, filtered, and one risk's page, at the demo's scale (the
register has 12 risks for each copy of the demo: 1,200 with about 18,000 reviews at 100)."""

from bench.registry import Skip, page


def _risk_page(ctx) -> str:
    from risks.models import Risk

    risk = Risk.objects.filter(reference="R01").first()
    if risk is None:
        raise Skip("no demo risks: load_demo_data has not made the register")
    return f"/risks/{risk.pk}/"


page("risk register", "/risks/")
page("risk register as at a past quarter", "/risks/?quarter=20222")
page("risk register filtered to one heat map square", "/risks/?likelihood=4&impact=4")
page("risk page", _risk_page)
