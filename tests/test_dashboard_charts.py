"""The SVG charts: well-formed, labelled images that never rely on colour alone."""

import xml.etree.ElementTree as ET

from dashboard import charts

NS = {"svg": "http://www.w3.org/2000/svg"}
COUNTS = {"red": 3, "amber": 5, "green": 10, "blue": 2, "not_reported": 0}


def parse(svg):
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    return root


def texts(root):
    return [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_rag_bars_state_every_figure_in_words():
    root = parse(charts.rag_bars(COUNTS, chart_id="c1", title="Actions by RAG"))
    assert root.find("svg:title", NS).text == "Actions by RAG"
    desc = root.find("svg:desc", NS).text
    assert desc.startswith("20 actions: ")
    assert "Red 3 (15%)" in desc and "Blue (completed) 2 (10%)" in desc
    assert {"Red", "Amber", "Green", "Blue (completed)", "Not yet reported"} <= set(texts(root))
    assert "10 (50%)" in texts(root)


def test_rag_segments_have_patterns_as_well_as_colours():
    svg = charts.rag_rows([("Theme 1", COUNTS)], chart_id="c2", title="By theme")
    root = parse(svg)
    patterns = {p.get("id") for p in root.iter("{http://www.w3.org/2000/svg}pattern")}
    assert {"c2-red", "c2-amber", "c2-blue"} <= patterns
    fills = {r.get("fill") for r in root.iter("{http://www.w3.org/2000/svg}rect")}
    assert "url(#c2-red)" in fills and "url(#c2-amber)" in fills
    assert "Red" in texts(root) and "Amber" in texts(root)  # the legend, in words


def test_charts_need_no_stylesheet():
    svg = charts.rag_trend([("2022/23 Q1", COUNTS), ("2022/23 Q2", COUNTS)], chart_id="c3", title="Trend")
    assert "style=" not in svg and "<style" not in svg and "href=" not in svg.replace("url(#", "")
    root = parse(svg)
    assert "Arial" in root.get("font-family")
    assert "2022/23 Q2: Red 15%" in root.find("svg:desc", NS).text


def test_labels_are_escaped():
    svg = charts.status_bars([("<script>alert(1)</script>", 1)], chart_id="c4", title="A & B")
    assert "<script>" not in svg
    root = parse(svg)
    assert root.find("svg:title", NS).text == "A & B"


def test_empty_figures_draw_without_error():
    parse(charts.rag_bars(dict.fromkeys(COUNTS, 0), chart_id="c5", title="Nothing"))
    parse(charts.rag_rows([("Theme 1", dict.fromkeys(COUNTS, 0))], chart_id="c6", title="Nothing"))
    parse(charts.rag_trend([], chart_id="c7", title="Nothing"))
