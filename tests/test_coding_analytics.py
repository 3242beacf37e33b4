"""Japanese text analytics on real FY2021 sentences: tokens, term frequencies, KWIC, the
co-occurrence network and the KH Coder export."""
from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest

from _coding_data import make_statements
from dxstudy.coding import (cooccurrence_network, export_khcoder_csv, khcoder_table, kwic,
                            load_stopwords, term_frequencies, tokenize_statements)

STATEMENTS = make_statements([
    ("112216", "talent", "challenge", "また人材育成として、ICTリテラシーの向上を目的に研修を行っているが、年度単位の取組みと"
     "なってしまっていることから、連続性や研修の一貫性に問題を抱えている。"),
    ("112224", "talent", "challenge", "各職員の保有知識や業務において求められる知識が異なるため、効果的な研修の実施について、"
     "苦慮しているところである。"),
    ("112348", "talent", "challenge", "また、育成については、より効果的な研修体系を含め、整備に向けた検討が必要である。"),
    ("112372", "talent", "challenge", "また、育成にあたっては、研修内容や到達目標の設定について検討する必要がある。"),
    ("112224", "telework", "status", "職員の働き方改革の一環として、テレワークを推進している。"),
    ("", "telework", "challenge", "また、テレワークの利用頻度の偏りや利用率の伸び悩みも見られる。"),
])


@pytest.fixture(scope="module")
def tokens():
    return tokenize_statements(STATEMENTS)


def test_tokens_have_normalized_form_and_pos(tokens):
    first = tokens[tokens["statement_id"] == "FY2021-3.1.2-001"]
    row = first[first["surface"] == "テレワーク"].iloc[0]
    assert (row["normalized"], row["pos1"]) == ("テレワーク", "名詞")
    assert row["pos"].startswith("名詞-普通名詞")


def test_token_offsets_point_into_the_text(tokens):
    texts = dict(zip(STATEMENTS["statement_id"], STATEMENTS["text"]))
    assert all(texts[s][b:e] == surface for s, b, e, surface in
               tokens[["statement_id", "begin", "end", "surface"]].itertuples(index=False))


def test_split_mode_c_keeps_long_units(tokens):
    assert "作業時間" not in set(tokens["surface"])  # not in these sentences
    one = tokenize_statements(make_statements([("112348", "own_initiatives", "", "作業時間が半減する")]))
    assert one["surface"].tolist()[0] == "作業時間"


def test_term_frequencies_count_per_municipality_theme_aspect(tokens):
    tf = term_frequencies(STATEMENTS, tokens=tokens)
    soka = tf[(tf["municipality"] == "草加市") & (tf["term"] == "研修")]
    assert soka[["theme", "aspect", "count", "statements"]].values.tolist() == [["talent", "challenge", 2, 1]]


def test_term_frequencies_drop_stop_words_and_function_words(tokens):
    terms = set(term_frequencies(STATEMENTS, tokens=tokens)["term"])
    assert {"為る", "居る", "事", "為", "必要"}.isdisjoint(terms)
    assert {"研修", "育成", "テレワーク"} <= terms
    assert "必要" in load_stopwords()


def test_term_frequencies_by_other_groups(tokens):
    tf = term_frequencies(STATEMENTS, by=("theme",), tokens=tokens)
    top = tf[tf["theme"] == "talent"].iloc[0]
    assert (top["term"], top["count"], top["statements"]) == ("研修", 5, 4)


def test_kwic_gives_context_and_statement(tokens):
    lines = kwic(STATEMENTS, "研修", width=5, tokens=tokens)
    assert len(lines) == 5
    first = lines.iloc[0]
    assert (first["statement_id"], first["left"], first["keyword"], first["right"]) == \
        ("FY2021-2.2.1-001", "上を目的に", "研修", "を行ってい")


def test_kwic_token_match_finds_conjugated_forms(tokens):
    lines = kwic(STATEMENTS, "見る", tokens=tokens)
    assert lines["keyword"].tolist() == ["見"]


def test_kwic_text_match_finds_substrings():
    lines = kwic(STATEMENTS, "利用", match="text")
    assert lines["keyword"].tolist() == ["利用", "利用"] and set(lines["municipality"]) == {""}


def test_kwic_rejects_an_unknown_match_mode():
    with pytest.raises(ValueError, match="match must be"):
        kwic(STATEMENTS, "研修", match="regex")


def test_cooccurrence_network_uses_jaccard_on_challenge_statements(tokens):
    graph = cooccurrence_network(STATEMENTS, tokens=tokens, min_df=2, top_edges=10)
    assert isinstance(graph, nx.Graph)
    assert "テレワーク" not in graph  # only in one challenge statement
    # 研修 is in the 4 talent challenge statements, 検討 in 2 of them
    edge = graph.edges["研修", "検討"]
    assert edge["cooccurrences"] == 2
    assert edge["jaccard"] == pytest.approx(2 / (graph.nodes["研修"]["df"] + graph.nodes["検討"]["df"] - 2))


def test_cooccurrence_network_keeps_the_top_edges(tokens):
    graph = cooccurrence_network(STATEMENTS, tokens=tokens, min_df=2, top_edges=1)
    assert graph.number_of_edges() == 1 and graph.number_of_nodes() == 2


def test_khcoder_table_has_text_and_external_variables():
    table = khcoder_table(STATEMENTS)
    assert table.columns.tolist()[0] == "text"
    assert table["municipality"].tolist()[-1] == "全体"
    assert set(table["aspect"]) == {"challenge", "status"}


def test_khcoder_csv_is_utf8_with_bom(tmp_path):
    path = export_khcoder_csv(STATEMENTS, tmp_path / "kh" / "statements.csv")
    assert path.read_bytes()[:3] == b"\xef\xbb\xbf"
    back = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
    assert back["text"].tolist() == STATEMENTS["text"].tolist()


def test_a_text_longer_than_sudachi_accepts_is_tokenized_in_chunks():
    sentence = "テレワーク用パソコンの貸出を行っている。"
    long = make_statements([("112372", "telework", "status", sentence * 3000)])  # 60,000 chars
    tokens = tokenize_statements(long)
    text = long["text"].iloc[0]
    assert (tokens["surface"] == "テレワーク").sum() == 3000
    assert all(text[b:e] == s for b, e, s in tokens[["begin", "end", "surface"]].itertuples(index=False))
