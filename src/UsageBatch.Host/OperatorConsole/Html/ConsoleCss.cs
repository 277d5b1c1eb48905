namespace UsageBatch.OperatorConsole.Html;

/// <summary>The console's one stylesheet, served as /console.css (the CSP allows styles from this origin only).</summary>
internal static class ConsoleCss
{
    public const string Text = """
        :root { --ink: #1b1f24; --muted: #59636e; --line: #d5dae0; --bg: #f6f7f9; --ok: #116329; --warn: #8a5a00; --fail: #b3261e; --accent: #0b57d0; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink); background: var(--bg); }
        header { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 24px; padding: 10px 24px; background: #1f2933; color: #fff; }
        header .brand { font-weight: 600; font-size: 16px; }
        header .brand span { font-weight: 400; color: #b8c4d0; }
        header nav a { color: #dbe4ee; text-decoration: none; padding: 6px 10px; border-radius: 4px; }
        header nav a:hover { background: #324251; }
        header nav a.active { background: #3d5266; color: #fff; }
        header .context { margin-left: auto; color: #b8c4d0; font-size: 12px; }
        main { padding: 16px 24px 40px; max-width: 1400px; }
        h1 { font-size: 20px; margin: 4px 0 12px; }
        h2 { font-size: 16px; margin: 24px 0 8px; }
        h3 { font-size: 14px; margin: 16px 0 6px; color: var(--muted); }
        a { color: var(--accent); }
        p.note { color: var(--muted); margin: 4px 0 8px; }
        .scroll { overflow-x: auto; background: #fff; border: 1px solid var(--line); border-radius: 6px; margin: 6px 0 12px; }
        table { border-collapse: collapse; width: 100%; }
        th, td { padding: 6px 10px; text-align: left; vertical-align: top; border-bottom: 1px solid var(--line); }
        th { background: #eef1f4; font-weight: 600; font-size: 12px; color: #3b4550; white-space: nowrap; }
        tbody tr:last-child td { border-bottom: 0; }
        tbody tr:hover { background: #f9fafb; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        td.code, code, .code { font-family: Consolas, "DejaVu Sans Mono", monospace; font-size: 12px; overflow-wrap: break-word; }
        td.muted, .muted { color: var(--muted); font-size: 12px; }
        td.nowrap { white-space: nowrap; }
        .sub { color: var(--muted); font-size: 12px; margin-top: 2px; }
        .sub.code, td .sub { overflow-wrap: anywhere; }
        table.jobs td:first-child { white-space: nowrap; }
        table.jobs td:first-child a { font-weight: 600; }
        table.jobs form.inline { display: block; margin-top: 6px; }
        .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; white-space: nowrap; }
        .badge.ok { background: #dcf5e3; color: var(--ok); }
        .badge.warn { background: #fff1cc; color: var(--warn); }
        .badge.fail { background: #fde2df; color: var(--fail); }
        .badge.info { background: #e3ebfa; color: #1d3f85; }
        .badge.none { background: #eceff2; color: var(--muted); }
        ul.attention { list-style: none; padding: 0; margin: 6px 0 12px; }
        ul.attention li { background: #fff; border: 1px solid var(--line); border-left: 4px solid var(--warn); border-radius: 4px; padding: 8px 12px; margin: 6px 0; }
        ul.attention li.fail { border-left-color: var(--fail); }
        ul.attention li.ok { border-left-color: var(--ok); }
        .notice { padding: 8px 12px; border-radius: 4px; margin: 8px 0 12px; border: 1px solid var(--line); background: #fff; }
        .notice.ok { border-color: #9fd8ae; background: #eefaf1; }
        .notice.warn { border-color: #f0d38a; background: #fff8e6; }
        .notice.fail { border-color: #f2b8b2; background: #fdeeed; }
        dl.facts { display: grid; grid-template-columns: max-content auto; gap: 4px 16px; margin: 8px 0 12px; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; }
        dl.facts dt { font-weight: 600; color: #3b4550; }
        dl.facts dd { margin: 0; overflow-wrap: anywhere; }
        form.inline { display: inline; margin: 0; }
        form.filters { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: end; margin: 8px 0; }
        form.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
        select, input[type=password], input[type=text] { font: inherit; padding: 4px 6px; border: 1px solid #b8c0c8; border-radius: 4px; background: #fff; }
        button { font: inherit; padding: 4px 12px; border: 1px solid #0a4ab5; border-radius: 4px; background: var(--accent); color: #fff; cursor: pointer; }
        button[disabled] { background: #c9d1da; border-color: #c9d1da; color: #5b6570; cursor: not-allowed; }
        .pager { display: flex; gap: 16px; align-items: center; margin: 8px 0; color: var(--muted); }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 10px; margin: 8px 0 12px; }
        .card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
        .card .value { font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }
        .card .label { color: var(--muted); font-size: 12px; }
        """;
}
