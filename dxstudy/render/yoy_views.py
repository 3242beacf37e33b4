# Display helpers of the 前年度比較 notebook: Japanese-labelled HTML tables of a dxstudy.analysis.yoy.Comparison,
# every value with the quoted evidence of both years (all text escaped, as in dxstudy.render.views).
from __future__ import annotations

import pandas as pd

from dxstudy.analysis import yoy
from dxstudy.analysis.evidence import section_of
from dxstudy.analysis.frames import table_of
from dxstudy.analysis.trends import trend_points
from dxstudy.reference import labels as lb
from dxstudy.render.html_blocks import HtmlBlock, bullets, empty_block, esc, html_table, with_note
from dxstudy.render.proposal_text import render_html, render_markdown

CHANGE_MARK_JA = {"up": "▲ 上昇", "down": "▼ 低下", "same": "＝ 変化なし", "new": "今年度のみ", "gone": "今年度は記載なし",
                  "": "判定なし"}
"""How a stage change reads in the tables (the chart uses the same marks)."""


def _sections(statements: pd.DataFrame) -> dict[str, str]:
    if statements.empty:
        return {}
    return dict(zip(statements["statement_id"], statements["section"]))


def _texts(statements: pd.DataFrame) -> dict[str, str]:
    if statements.empty:
        return {}
    return dict(zip(statements["statement_id"], statements["text"]))


def quotes_html(ids, statements: pd.DataFrame, fallback: str = "") -> str:
    """One paragraph per statement id: 「sentence」（section・id）; ``fallback`` text (an evidence column)
    when an id is not among the statements; 記載なし when there is nothing at all."""
    ids = [i for i in dict.fromkeys(str(i).strip() for i in ids) if i]
    if not ids:
        return '<p class="dx-empty">記載なし</p>'
    texts, sections = _texts(statements), _sections(statements)
    parts = []
    for sid in ids:
        text = texts.get(sid, fallback)
        cite = "・".join(p for p in (sections.get(sid, section_of(sid)), sid) if p)
        parts.append(f'<p>「{esc(text)}」<span class="dx-cite">（{esc(cite)}）</span></p>')
    return "".join(parts)


def _split(ids: str) -> list[str]:
    return [i.strip() for i in str(ids).replace(";", " ").split() if i.strip()]


def summary(comparison: yoy.Comparison) -> HtmlBlock:
    """The summary sentences of yoy.summary_points as a list."""
    return bullets(yoy.summary_points(comparison))


def sources_table(comparison: yoy.Comparison) -> HtmlBlock:
    """The two years compared: 年度, 資料 (report text or survey workbooks), 表題, 内容の時点, 文の数,
    段階の決め方; and a note when the workbooks carry a test-data label."""
    src = yoy.year_sources(comparison)
    src = src.assign(
        year=[f"{y}年度（{r}）" for y, r in zip(src["fiscal_year"], src["role"])],
        what=[f"{f}：{d}" for f, d in zip(src["form"], src["form_detail"])],
        when=[a or "—" for a in src["as_of"]],
        count=[f"{n}文・{m}市町" for n, m in zip(src["n_statements"], src["n_members"])],
    )
    block = html_table(src, {"year": "年度", "what": "資料", "title": "表題", "when": "内容の時点", "count": "文の数",
                             "stage_source": "取組み段階の決め方"}, narrow=("year", "when", "count"))
    labelled = src[src["test_data"] != ""]
    if len(labelled):
        years = "・".join(f"{y}年度" for y in labelled["fiscal_year"])
        note = (f"{years}の調査票には「{'・'.join(sorted(set(labelled['test_data'])))}」の印があります。"
                "試験用の回答であり、実際の回答ではありません。")
        block = with_note(block, note, strong=True)
    return block


def _stage_text(stage, label: str) -> str:
    return "—" if pd.isna(stage) else f"{int(stage)} {label or lb.STAGE_LABELS.get(int(stage), '')}"


def _verdict_note(verdicts: dict, code: str, theme: str, stage, source: str) -> str:
    """A note under a respondent's stage when the rules read the member's own text differently."""
    verdict = verdicts.get((code, theme))
    if source != "respondent" or verdict is None or pd.isna(stage) or int(stage) == verdict:
        return ""
    return (f'<p class="dx-note">※ 現状の記述からの自動判定は {esc(lb.stage_label(verdict))}'
            "（回答と異なるため確認が必要）</p>")


def _stage_rows(comparison: yoy.Comparison, rows: pd.DataFrame) -> HtmlBlock:
    if rows.empty:
        return empty_block()
    rows = yoy.with_status_sentences(rows, comparison.statements)
    statements = comparison.statements
    v_before = yoy.rules_verdicts(table_of(comparison.before, "stages"))
    v_after = yoy.rules_verdicts(table_of(comparison.after, "stages"))
    out = rows.assign(
        theme_ja=[lb.theme_label(t, comparison.themes) for t in rows["theme"]],
        move=[f"<p>{esc(_stage_text(b, lb_))}</p><p>→ {esc(_stage_text(a, la))}</p><p>{esc(CHANGE_MARK_JA.get(c, c))}</p>"
              for b, lb_, a, la, c in zip(rows["stage_before"], rows["stage_label_before"], rows["stage_after"],
                                          rows["stage_label_after"], rows["change"])],
        before=[quotes_html([i, s], statements, e) + _how(src) + _verdict_note(v_before, c, t, st, src)
                for i, s, e, src, c, t, st in zip(rows["statement_id_before"], rows["status_id_before"],
                                                   rows["evidence_before"], rows["source_before"],
                                                   rows["municipality_code"], rows["theme"], rows["stage_before"])],
        after=[quotes_html([i, s], statements, e) + _how(src) + _verdict_note(v_after, c, t, st, src)
               for i, s, e, src, c, t, st in zip(rows["statement_id_after"], rows["status_id_after"],
                                                  rows["evidence_after"], rows["source_after"],
                                                  rows["municipality_code"], rows["theme"], rows["stage_after"])],
    )
    before, after = comparison.previous_year, comparison.fiscal_year
    return html_table(out, {"municipality": "市町", "theme_ja": "テーマ", "move": f"段階（{before}→{after}年度）",
                            "before": f"{before}年度の根拠", "after": f"{after}年度の根拠"},
                      raw_html=("move", "before", "after"), narrow=("municipality",))


def _how(source: str) -> str:
    return f'<p class="dx-cite">段階：{esc(yoy.STAGE_SOURCE_JA.get(source, source))}</p>' if source else ""


def stage_transition_table(comparison: yoy.Comparison) -> HtmlBlock:
    """Every member × theme: 段階 last year → this year, the change, and the evidence of each year
    (the statement that decided the stage and, for a survey answer, the member's first 現状
    sentence), with how the stage was decided (自動判定 / 回答者の選択 / 分析者の判断)."""
    st = comparison.stages
    order = {t: i for i, t in enumerate(lb.themes_table(comparison.themes)["theme"])}
    st = st.assign(_t=st["theme"].map(order)).sort_values("_t", kind="stable").drop(columns="_t")
    return _stage_rows(comparison, st.reset_index(drop=True))


def stalled_table(comparison: yoy.Comparison) -> HtmlBlock:
    """The members and themes at 1 (検討中) in both years, with both years' evidence."""
    if comparison.stalled.empty:
        return empty_block("2年続けて検討中（段階1）の市町・テーマはありません。")
    return _stage_rows(comparison, comparison.stalled)


def metric_change_table(comparison: yoy.Comparison) -> HtmlBlock:
    """Each member's metrics: 値 last year → this year (as written) with the difference, 目標 (with
    its fiscal year and the remaining gap), and the sentence or answer each value came from."""
    m = comparison.metrics
    if m.empty:
        return empty_block()
    statements = comparison.statements

    def target(r) -> str:
        if pd.isna(r["target_value"]):
            return ""
        fy = f"{int(r['target_fiscal_year'])}年度まで" if not pd.isna(r["target_fiscal_year"]) else ""
        gap = "" if pd.isna(r["gap_to_target"]) else (
            f"あと{yoy.value_text(r['gap_to_target'], r['unit'])}" if r["gap_to_target"] > 0 else "達成")
        return f"{yoy.value_text(r['target_value'], r['unit'])}（{'・'.join(p for p in (fy, gap) if p)}）"

    def diff(r) -> str:
        if pd.isna(r["difference"]):
            return r["change_ja"]
        d = r["difference"]
        return "±0" if d == 0 else f"{'+' if d > 0 else '−'}{yoy.value_text(abs(d), r['unit'])}"

    records = m.to_dict("records")
    out = m.assign(
        what=m["label_ja"].where(m["label_ja"] != "", m["metric"]),
        values=[f"<p>{esc(r['value_text_before'] or '—')} → {esc(r['value_text_after'] or '—')}</p>"
                f"<p>（{esc(diff(r))}）</p>" for r in records],
        target=[target(r) for r in records],
        q_before=[quotes_html([i], statements, e) for i, e in zip(m["statement_id_before"], m["evidence_before"])],
        q_after=[quotes_html([i], statements, e) for i, e in zip(m["statement_id_after"], m["evidence_after"])],
    )
    b, a = comparison.previous_year, comparison.fiscal_year
    return html_table(out, {"municipality": "市町", "what": "指標", "values": f"値（{b}→{a}年度）", "target": "目標",
                            "q_before": f"{b}年度の根拠", "q_after": f"{a}年度の根拠"},
                      raw_html=("values", "q_before", "q_after"), narrow=("municipality",))


def challenge_counts_table(comparison: yoy.Comparison) -> HtmlBlock:
    """Per member: how many challenge codes (per theme) appeared, persisted and were resolved, with
    the names of those that appeared or were resolved."""
    ch = yoy.member_rows(comparison.challenges)
    if ch.empty:
        return empty_block()
    rows = []
    for code, name in zip(lb.municipalities_table(comparison.municipalities)["code"],
                          lb.municipalities_table(comparison.municipalities)["name_ja"]):
        mine = ch[ch["municipality_code"] == code]
        if mine.empty:
            continue

        def named(change: str) -> str:
            sub = mine[mine["change"] == change]
            items = [f"{l}（{lb.theme_label(t, comparison.themes)}）" for l, t in zip(sub["code_label"], sub["theme"])]
            return f"{len(sub)}" + (f"：{'、'.join(items)}" if items and change != "persisted" else "")

        rows.append({"municipality": name, "appeared": named("appeared"), "persisted": named("persisted"),
                     "resolved": named("resolved")})
    return html_table(pd.DataFrame(rows), {"municipality": "市町", "appeared": "新たに挙がった", "persisted": "継続",
                                           "resolved": "挙がらなくなった"})


def challenge_change_table(comparison: yoy.Comparison, change: str) -> HtmlBlock:
    """The member challenges of one change (appeared | persisted | resolved): 市町, テーマ, 課題 and the
    sentences of the year(s) where the code was found."""
    ch = yoy.member_rows(comparison.challenges)
    ch = ch[ch["change"] == change]
    if ch.empty:
        return empty_block(f"{yoy.CHANGE_JA.get(change, change)}課題はありません。")
    statements = comparison.statements
    b, a = comparison.previous_year, comparison.fiscal_year
    out = ch.assign(
        theme_ja=[lb.theme_label(t, comparison.themes) for t in ch["theme"]],
        q_before=[quotes_html(_split(i), statements) for i in ch["statement_ids_before"]],
        q_after=[quotes_html(_split(i), statements) for i in ch["statement_ids_after"]],
    )
    columns = {"municipality": "市町", "theme_ja": "テーマ", "code_label": "課題"}
    if change != "appeared":
        columns["q_before"] = f"{b}年度の記述"
    if change != "resolved":
        columns["q_after"] = f"{a}年度の記述"
    return html_table(out, columns, raw_html=("q_before", "q_after"), narrow=("municipality", "theme_ja", "code_label"))


def persistent_challenges_table(comparison: yoy.Comparison) -> HtmlBlock:
    """Challenge codes raised in both years by half or more of the members: 課題, 市町数, 市町, and each
    member's first sentence of each year."""
    p = yoy.persistent_challenges(table_of(comparison.before, "challenges"),
                                  table_of(comparison.after, "challenges"), comparison.municipalities)
    p = p[p["shared"]]
    if p.empty:
        return empty_block("2年続けて半数以上の市町が挙げた課題はありません。")
    statements = comparison.statements
    out = p.assign(
        count=[f"{n}/{t}" for n, t in zip(p["n_members"], p["n_total"])],
        q_before=[quotes_html(_split(i), statements) for i in p["statement_ids_before"]],
        q_after=[quotes_html(_split(i), statements) for i in p["statement_ids_after"]],
    )
    b, a = comparison.previous_year, comparison.fiscal_year
    return html_table(out, {"code_label": "課題", "count": "市町数", "members": "市町",
                            "q_before": f"{b}年度の記述（各市町の最初の該当文）",
                            "q_after": f"{a}年度の記述（各市町の最初の該当文）"},
                      numeric=("count",), raw_html=("q_before", "q_after"), narrow=("code_label", "count"))


def technology_change_table(comparison: yoy.Comparison) -> HtmlBlock:
    """Technologies that are new, advanced (e.g. 試行 → 利用中), regressed or no longer mentioned:
    市町, 技術, status of each year, 変化, and the evidence of each year. Unchanged ones are counted
    in a note."""
    t = comparison.technologies
    if t.empty:
        return empty_block()
    changed = t[t["change"] != "same"]
    statements = comparison.statements
    b, a = comparison.previous_year, comparison.fiscal_year
    note = f"状況が変わらない技術：{int((t['change'] == 'same').sum())}件（表には含めていません）。"
    if changed.empty:
        return HtmlBlock(f'<p class="dx-empty">状況が変わった技術はありません。</p><p class="dx-note">{esc(note)}</p>', note)
    order = {"new": 0, "advanced": 1, "regressed": 2, "dropped": 3}
    changed = changed.assign(_c=changed["change"].map(order)).sort_values("_c", kind="stable")
    out = changed.assign(
        s_before=[l or "—" for l in changed["status_label_before"]],
        s_after=[l or "—" for l in changed["status_label_after"]],
        q_before=[quotes_html([i], statements, e) for i, e in zip(changed["statement_id_before"], changed["evidence_before"])],
        q_after=[quotes_html([i], statements, e) for i, e in zip(changed["statement_id_after"], changed["evidence_after"])],
    )
    block = html_table(out, {"municipality": "市町", "technology_label": "技術", "s_before": f"{b}年度",
                             "s_after": f"{a}年度", "change_ja": "変化", "q_before": f"{b}年度の根拠",
                             "q_after": f"{a}年度の根拠"},
                       raw_html=("q_before", "q_after"),
                       narrow=("municipality", "technology_label", "s_before", "s_after", "change_ja"))
    return with_note(block, note)


def trend_proposals(comparison: yoy.Comparison) -> HtmlBlock:
    """The points the comparison adds to the conclusions (dxstudy.analysis.trends.trend_points), as the conclusions
    report shows them."""
    points = trend_points(comparison.before, comparison.after, comparison.themes, comparison.municipalities)
    return HtmlBlock(render_html(points), render_markdown(points))
