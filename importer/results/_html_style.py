"""The report page's stylesheet (importer.results.html inlines it: the page must open with no network)."""

from __future__ import annotations

CSS = """
:root {
  color-scheme: light;
  --ink: #1f2933; --muted: #5f6b7a; --line: #e3e7ec; --bg: #f4f6f9; --card: #ffffff; --accent: #0b6e6a;
  --ok: #1f7a3a; --ok-bg: #e8f5ec; --warn: #a15c00; --warn-bg: #fff4e0; --bad: #b42318; --bad-bg: #fdecea;
  --neutral: #64748b; --neutral-bg: #eef1f5; --info: #2457a6; --info-bg: #e8f0fb;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
.page { max-width: 1040px; margin: 0 auto; padding: 28px 20px 40px; }
header.hero {
  background: var(--card); border: 1px solid var(--line); border-top: 5px solid var(--accent);
  border-radius: 10px; padding: 22px 26px; margin-bottom: 20px;
}
.kicker { margin: 0; color: var(--accent); font-size: 12px; font-weight: 700; letter-spacing: .08em;
  text-transform: uppercase; }
h1 { margin: 4px 0 6px; font-size: 26px; line-height: 1.25; overflow-wrap: anywhere; }
h2 { margin: 0 0 4px; font-size: 18px; }
h3 { margin: 18px 0 6px; font-size: 15px; }
.meta { margin: 0; color: var(--muted); font-size: 14px; }
.meta span + span::before { content: "·"; margin: 0 8px; color: #b0b8c3; }
.verdict { margin: 16px 0 0; padding: 10px 14px; border-radius: 8px; font-weight: 600; border-left: 4px solid; }
.verdict.ok { background: var(--ok-bg); border-color: var(--ok); color: #14532d; }
.verdict.warn { background: var(--warn-bg); border-color: var(--warn); color: #713f12; }
.verdict.bad { background: var(--bad-bg); border-color: var(--bad); color: #7f1d1d; }
section {
  background: var(--card); border: 1px solid var(--line); border-radius: 10px;
  padding: 20px 24px; margin-bottom: 20px;
}
.lead { margin: 0 0 14px; color: var(--muted); font-size: 14px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin: 12px 0 14px; }
.card { border: 1px solid var(--line); border-top: 4px solid var(--neutral); border-radius: 8px; padding: 10px 14px; }
.card .label { font-size: 12px; font-weight: 700; text-transform: uppercase; letter-spacing: .05em;
  color: var(--muted); }
.card .num { font-size: 26px; font-weight: 700; font-variant-numeric: tabular-nums; line-height: 1.2; }
.card .sub { font-size: 13px; color: var(--muted); }
.card.ok { border-top-color: var(--ok); } .card.warn { border-top-color: var(--warn); }
.card.bad { border-top-color: var(--bad); } .card.total { border-top-color: var(--accent); }
.stack { border-radius: 6px; overflow: hidden; background: var(--neutral-bg); line-height: 0; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; margin: 8px 0 0; padding: 0; list-style: none;
  font-size: 13px; color: var(--muted); }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
.chart { margin: 6px 0 16px; }
.chart text { font: 13px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: var(--ink); }
.chart text.value { fill: var(--muted); font-variant-numeric: tabular-nums; }
.fill-ok { fill: var(--ok); background: var(--ok); } .fill-warn { fill: #e09b2d; background: #e09b2d; }
.fill-bad { fill: var(--bad); background: var(--bad); } .fill-neutral { fill: #94a3b8; background: #94a3b8; }
.fill-info { fill: #4c7fd0; background: #4c7fd0; } .fill-track { fill: var(--neutral-bg); }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { width: 100%; border-collapse: collapse; font-size: 14px; }
th, td { text-align: left; vertical-align: top; padding: 8px 10px; border-bottom: 1px solid var(--line); }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); background: #fafbfc; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td { overflow-wrap: anywhere; }
tr.sev-error td:first-child { box-shadow: inset 3px 0 0 var(--bad); }
tr.sev-warning td:first-child { box-shadow: inset 3px 0 0 #e09b2d; }
tr.sev-info td:first-child { box-shadow: inset 3px 0 0 #4c7fd0; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--neutral-bg);
  padding: 1px 5px; border-radius: 4px; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 700;
  white-space: nowrap; }
.badge.error, .badge.invalid, .badge.failed { background: var(--bad-bg); color: var(--bad); }
.badge.warning, .badge.duplicate, .badge.pending { background: var(--warn-bg); color: var(--warn); }
.badge.info { background: var(--info-bg); color: var(--info); }
.badge.other { background: var(--neutral-bg); color: var(--neutral); }
.arrow { color: var(--muted); padding: 0 6px; }
.muted { color: var(--muted); }
.more { margin: 8px 0 0; font-size: 13px; color: var(--muted); }
.empty { margin: 0; padding: 10px 14px; border-radius: 8px; background: var(--ok-bg); color: #14532d; }
.path { margin: 0 0 12px; }
ul.notes { margin: 0; padding-left: 20px; }
ul.notes li { margin: 4px 0; }
footer { color: var(--muted); font-size: 12px; text-align: center; padding: 4px 0 0; }
footer p { margin: 2px 0; overflow-wrap: anywhere; }
@media (max-width: 640px) {
  body { font-size: 14px; }
  .page { padding: 12px 10px 24px; }
  header.hero, section { padding: 16px 14px; border-radius: 8px; }
  h1 { font-size: 21px; }
  .cards { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px; }
  .card .num { font-size: 21px; }
  th, td { padding: 6px 7px; }
  table { font-size: 13px; }
  /* The problem table has six columns: on a phone each problem becomes a small card instead. */
  table.cards-sm thead { display: none; }
  table.cards-sm tr { display: block; padding: 8px 4px 8px 12px; border-bottom: 1px solid var(--line); }
  table.cards-sm td { display: block; border: none; padding: 2px 0; text-align: left; }
  table.cards-sm td:first-child { box-shadow: none; float: right; }
  table.cards-sm td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); font-size: 12px;
    font-weight: 600; }
  table.cards-sm tr.sev-error { box-shadow: inset 3px 0 0 var(--bad); }
  table.cards-sm tr.sev-warning { box-shadow: inset 3px 0 0 #e09b2d; }
  table.cards-sm tr.sev-info { box-shadow: inset 3px 0 0 #4c7fd0; }
}
@media print {
  @page { margin: 14mm 12mm; }
  body { background: #fff; font-size: 11pt; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .page { max-width: none; padding: 0; }
  header.hero, section { border: none; border-radius: 0; padding: 0; margin-bottom: 18pt; }
  header.hero { border-top: 4pt solid var(--accent); padding-top: 8pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .cards, .chart, .stack, tr { break-inside: avoid; page-break-inside: avoid; }
  .scroll { overflow: visible; }
  thead { display: table-header-group; }
}
"""
