# Small hand-built tables with real FY2021 sentences, for the chart/proposal/view tests.
# Columns follow the documented schemas (common brief; issues 2 and 3).
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd

CODES = {
    "草加市": "112216",
    "越谷市": "112224",
    "八潮市": "112348",
    "三郷市": "112372",
    "吉川市": "112437",
    "松伏町": "114651",
}


def paragraph_statements(*sentences, municipality: str, theme: str, section: str,
                         paragraph_id: int = 1) -> pd.DataFrame:
    """A statements table of consecutive sentences of one paragraph (for the metrics/events tests)."""
    return pd.DataFrame([{
        "statement_id": f"FY2021-{section}-{i:03d}", "fiscal_year": 2021, "section": section,
        "theme": theme, "municipality_code": CODES.get(municipality, ""),
        "municipality": municipality, "text": text, "paragraph_id": paragraph_id,
    } for i, text in enumerate(sentences, start=1)])


STAGE_LABELS = {0: "未着手", 1: "検討中", 2: "試行・一部実施", 3: "実施中"}

# (section, theme, aspect, municipality, text)
SENTENCES = [
    ("3.1", "telework", "status", "", "5市1町においては、「自治体テレワーク推進実証実験（J-LIS提供）」への参加を含めると、概ねテレワークを行っている。"),
    ("3.1.1", "telework", "status", "草加市", "「草加市テレワークシステム」を構築し、令和3年7月から試行を経て、段階的に運用を開始しているところである。"),
    ("3.1.2", "telework", "status", "越谷市", "令和3年1月から庁内LANに接続できるパソコン81台を整備し、部ごとに所属人数に応じて配分することで、在宅勤務によるテレワークを行っている。"),
    ("3.1.2", "telework", "status", "越谷市", "現在のテレワーク用パソコンの稼働率は5.0%であるが、令和5年度までに30%以上を目指している。"),
    ("3.1.3", "telework", "status", "八潮市", "「自治体テレワーク推進実証実験」の参加及びテレワーク用オフラインパソコンの整備・貸出を行っている。"),
    ("3.1.4", "telework", "status", "三郷市", "VPN回線を使用したテレワーク環境を構築し、令和3年1月からテレワーク用ノートパソコンの貸出を行っている。"),
    ("3.1.5", "telework", "status", "吉川市", "テレワークにおける課題等を検証するため、令和3年8月から「自治体テレワーク推進実証実験」に参加し、一部の部署の職員が自宅からテストを行っている。"),
    ("3.1.6", "telework", "status", "松伏町", "緊急事態宣言発出に伴い、令和3年1月から「自治体テレワークシステム for LGWAN」を一時的に利用したが、現在、テレワークは行っていない。"),
    ("3.2", "telework", "challenge", "", "5市1町に共通する課題として、テレワーク可能な業務範囲の選定が挙げられる。"),
    ("3.2.1", "telework", "challenge", "草加市", "テレワーク可能な業務や部署の選定に苦慮している。"),
    ("3.2.3", "telework", "challenge", "八潮市", "2つのテレワーク事業ともに利用率が低いため、さらに利用してもらえるような方策が必要である。"),
    ("3.2.6", "telework", "challenge", "松伏町", "職員に対する労務管理のルールを整備することが必要である。"),
    ("4.1.2", "planning", "status", "越谷市", "令和3年4月に「越谷市情報化推進計画（2021）」を策定した。"),
    ("4.1.1", "planning", "status", "草加市", "実施時期については未定であるが、自治体DX推進を目的とした計画策定の必要性を認識している。"),
    ("4.1.6", "planning", "status", "松伏町", "現在のところ、計画の策定は行っていない。"),
    ("2.2.1", "talent", "challenge", "草加市", "また人材育成として、ICTリテラシーの向上を目的に研修を行っているが、年度単位の取組みとなってしまっていることから、連続性や研修の一貫性に問題を抱えている。"),
    ("2.2.2", "talent", "challenge", "越谷市", "各職員の保有知識や業務において求められる知識が異なるため、効果的な研修の実施について、苦慮しているところである。"),
    ("2.2.3", "talent", "challenge", "八潮市", "また、育成については、より効果的な研修体系を含め、整備に向けた検討が必要である。"),
    ("2.2.4", "talent", "challenge", "三郷市", "また、育成にあたっては、研修内容や到達目標の設定について検討する必要がある。"),
    ("2.2.6", "talent", "challenge", "松伏町", "デジタル人材の育成に関して、継続的に研修に参加する時間の確保が必要である。"),
    ("4.2.1", "planning", "challenge", "草加市", "計画の策定にあたり、国の動向等を注視する必要があるが、技術革新が速い中で、どのような内容にし、何を記載すべきかを決定することが課題である。"),
    ("4.2.3", "planning", "challenge", "八潮市", "DXの取組みを全庁的に推進していくためには、計画策定に加え、全庁的な推進体制の構築についても検討していく必要がある。"),
    ("4.2.4", "planning", "challenge", "三郷市", "策定期間、計画内容、DX推進体制の構成員等について、検討中である。"),
    ("4.2.6", "planning", "challenge", "松伏町", "推進体制の整備、システム担当職員の確保・育成、予算の確保、情報セキュリティポリシーの改定などが、課題として挙げられる。"),
    ("5.1", "own_initiatives", "", "草加市", "RPAについては、令和2年度に実証実験を行い、令和3年6月から本格導入している。"),
    ("5.2", "own_initiatives", "", "越谷市", "RPAについては、令和元年度に実証実験を行い、令和2年度に運用を開始している。"),
    ("5.3", "own_initiatives", "", "八潮市", "また、市ホームページにてAIチャットボットを導入し、市民からの問い合わせによる応答性の向上に向けた取組みを行っている。"),
    ("5.6", "own_initiatives", "", "松伏町", "現在のところ、独自の取組みは行っていない。"),
]


def statements() -> pd.DataFrame:
    rows = []
    counters: dict[str, int] = {}
    for i, (section, theme, aspect, name, text) in enumerate(SENTENCES):
        counters[section] = counters.get(section, 0) + 1
        rows.append(
            {
                "statement_id": f"FY2021-{section}-{counters[section]:03d}",
                "fiscal_year": 2021,
                "section": section,
                "theme": theme,
                "aspect": aspect,
                "municipality_code": CODES.get(name, ""),
                "municipality": name,
                "kind": "sentence",
                "text": text,
                "text_raw": text,
                "line_start": 100 + i,
                "line_end": 100 + i,
                "paragraph_id": i,
            }
        )
    return pd.DataFrame(rows)


def _find(stm: pd.DataFrame, name: str, theme: str, needle: str) -> pd.Series:
    hit = stm[(stm["municipality"] == name) & (stm["theme"] == theme) & stm["text"].str.contains(needle, regex=False)]
    assert len(hit) == 1, (name, theme, needle)
    return hit.iloc[0]


def stages(stm: pd.DataFrame | None = None) -> pd.DataFrame:
    stm = statements() if stm is None else stm
    spec = [
        ("telework", "草加市", 3, "段階的に運用"),
        ("telework", "越谷市", 3, "81台"),
        ("telework", "八潮市", 2, "オフラインパソコン"),
        ("telework", "三郷市", 3, "VPN"),
        ("telework", "吉川市", 2, "一部の部署"),
        ("telework", "松伏町", 0, "一時的に利用"),
        ("planning", "越谷市", 3, "策定した"),
        ("planning", "草加市", 1, "必要性を認識"),
        ("planning", "松伏町", 0, "策定は行っていない"),
    ]
    rows = []
    for theme, name, stage, needle in spec:
        s = _find(stm, name, theme, needle)
        rows.append(
            {
                "fiscal_year": 2021,
                "municipality_code": CODES[name],
                "municipality": name,
                "theme": theme,
                "stage": stage,
                "stage_label": STAGE_LABELS[stage],
                "source": "rules",
                "rule": "handbuilt",
                "statement_id": s["statement_id"],
                "evidence": s["text"],
            }
        )
    return pd.DataFrame(rows)


CHALLENGE_LABELS = {
    "training": "研修・育成の体系",
    "scope": "対象業務・部署の選定",
    "adoption": "利用率・利用の偏り",
    "rules": "制度・ルール・方針の整備",
    "organization": "推進体制・組織",
    "information": "国の動向・情報収集",
    "budget": "予算・財源・費用",
    "time": "時間の確保",
    "security": "情報セキュリティ",
}


def challenges(stm: pd.DataFrame | None = None) -> pd.DataFrame:
    stm = statements() if stm is None else stm
    spec = [
        ("talent", "草加市", "研修の一貫性", ["training"]),
        ("talent", "越谷市", "効果的な研修", ["training"]),
        ("talent", "八潮市", "研修体系", ["training"]),
        ("talent", "三郷市", "研修内容", ["training"]),
        ("talent", "松伏町", "継続的に研修", ["training", "time"]),
        ("telework", "草加市", "部署の選定", ["scope"]),
        ("telework", "八潮市", "利用率が低い", ["adoption"]),
        ("telework", "松伏町", "労務管理のルール", ["rules"]),
        ("planning", "草加市", "国の動向", ["information"]),
        ("planning", "八潮市", "推進体制の構築", ["organization"]),
        ("planning", "三郷市", "DX推進体制", ["organization"]),
        ("planning", "松伏町", "推進体制の整備", ["organization", "budget", "security"]),
    ]
    rows = []
    for theme, name, needle, codes in spec:
        s = _find(stm, name, theme, needle)
        for code in codes:
            rows.append(
                {
                    "fiscal_year": 2021,
                    "municipality_code": CODES[name],
                    "municipality": name,
                    "theme": theme,
                    "code": code,
                    "code_label": CHALLENGE_LABELS[code],
                    "statement_id": s["statement_id"],
                    "evidence": s["text"],
                }
            )
    return pd.DataFrame(rows)


def technologies(stm: pd.DataFrame | None = None) -> pd.DataFrame:
    stm = statements() if stm is None else stm
    spec = [
        ("草加市", "own_initiatives", "本格導入", "rpa", "in_use"),
        ("越谷市", "own_initiatives", "運用を開始", "rpa", "in_use"),
        ("八潮市", "own_initiatives", "チャットボット", "ai_chatbot", "in_use"),
        ("三郷市", "telework", "VPN", "vpn", "in_use"),
        ("草加市", "telework", "段階的に運用", "vdi", "pilot"),
    ]
    rows = []
    for name, theme, needle, tech, status in spec:
        s = _find(stm, name, theme, needle)
        rows.append(
            {
                "fiscal_year": 2021,
                "municipality_code": CODES[name],
                "municipality": name,
                "technology": tech,
                "status": status,
                "statement_id": s["statement_id"],
                "evidence": s["text"],
            }
        )
    return pd.DataFrame(rows)


def metrics(stm: pd.DataFrame | None = None) -> pd.DataFrame:
    stm = statements() if stm is None else stm
    pcs = _find(stm, "越谷市", "telework", "81台")
    rate = _find(stm, "越谷市", "telework", "稼働率")
    loans = _find(stm, "三郷市", "telework", "VPN")
    rows = [
        (pcs, "telework_pcs", 81, "台"),
        (rate, "telework_pc_utilization", 5.0, "%"),
        (rate, "telework_pc_utilization_target", 30, "%"),
        (loans, "telework_pc_loans", 72, "人"),
    ]
    return pd.DataFrame(
        [
            {
                "statement_id": s["statement_id"],
                "fiscal_year": 2021,
                "municipality_code": s["municipality_code"],
                "municipality": s["municipality"],
                "theme": s["theme"],
                "metric": metric,
                "value": float(value),
                "unit": unit,
                "evidence": s["text"],
            }
            for s, metric, value, unit in rows
        ]
    )


def events(stm: pd.DataFrame | None = None) -> pd.DataFrame:
    stm = statements() if stm is None else stm
    spec = [
        ("草加市", "telework", "段階的に運用", "2021-07", "令和3年7月"),
        ("越谷市", "telework", "81台", "2021-01", "令和3年1月"),
        ("越谷市", "telework", "稼働率", "FY2023", "令和5年度"),
        ("越谷市", "planning", "策定した", "2021-04", "令和3年4月"),
        ("松伏町", "telework", "一時的に利用", "2021-01", "令和3年1月"),
    ]
    rows = []
    for name, theme, needle, date, era in spec:
        s = _find(stm, name, theme, needle)
        rows.append(
            {
                "statement_id": s["statement_id"],
                "fiscal_year": 2021,
                "municipality_code": CODES[name],
                "municipality": name,
                "theme": theme,
                "date": date,
                "era_text": era,
                "evidence": s["text"],
            }
        )
    rows.append(
        {
            "statement_id": "FY2021-4.1.1-002",
            "fiscal_year": 2021,
            "municipality_code": CODES["草加市"],
            "municipality": "草加市",
            "theme": "planning",
            "date": "2012-12",
            "era_text": "平成24年12月",
            "evidence": "また、平成24年12月に策定された「草加市情報化指針」について、経時変化に伴う内容更新を行う必要がある。",
        }
    )
    return pd.DataFrame(rows)


def municipalities() -> pd.DataFrame:
    return pd.DataFrame(
        [{"code": c, "name_ja": n, "name_en": "", "kind": "town" if n.endswith("町") else "city", "order": i + 1}
         for i, (n, c) in enumerate(CODES.items())]
    )


def tables() -> SimpleNamespace:
    stm = statements()
    t = SimpleNamespace(
        statements=stm,
        stages=stages(stm),
        challenges=challenges(stm),
        technologies=technologies(stm),
        metrics=metrics(stm),
        events=events(stm),
        municipalities=municipalities(),
        themes=pd.read_csv(Path(__file__).resolve().parents[1] / "dxstudy/reference/themes.csv", dtype=str, keep_default_na=False),
        meetings=pd.DataFrame(
            {"number": [1, 2, 3, 4],
             "date": ["2021-07-30", "2021-08-27", "2021-10-07", "2021-11-11"],
             "agenda": ["部会長の選出／調査研究テーマの選定", "調査研究テーマの選定（追加）／各市町の取組みに関する情報共有",
                        "各市町の現状と課題に関する情報共有", "報告書に関する協議"]}
        ),
    )
    t.tables = dict(vars(t))
    return t
