"""The tables of a `bench.run` run, written into bench/results/run.md between its markers."""

import math
from pathlib import Path
from typing import Any

BENCHMARKS = Path(__file__).resolve().parent / "results" / "run.md"
"""Where `bench.run` writes its tables (BENCHMARKS.md links to it)."""
START = "<!-- bench:results:start -->"
END = "<!-- bench:results:end -->"
PAIRS = [
    ("ALL · 50 · first page", "ALL · 50 · deep page"),
    ("ALL · 200 · first page", "ALL · 200 · deep page"),
    ("MINE · 50 · first page", "MINE · 50 · deep page"),
]
PLAN_NODES = ("Scan", "Index Cond", "Execution Time", "Filter", "Sort", "Limit", "Append")


def _ms(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "-"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _ratio(item: dict[str, Any], floor: dict[str, Any] | None) -> str:
    return f"{item['p50'] / floor['p50']:.2f}x" if floor else "-"


def _find(results: dict[str, Any], scenario: str, target: str, workers: int, clients: int) -> Any:
    for item in results["measured"]:
        if (item["scenario"], item["target"], item["workers"], item["clients"]) == (
            scenario,
            target,
            workers,
            clients,
        ):
            return item
    return None


def _growth(results: dict[str, Any], kind: str) -> dict[int, dict[str, Any]]:
    table: dict[int, dict[str, Any]] = {}
    for row in results["growth"]:
        if row["kind"] == kind:
            table.setdefault(row["size"], {})[row["scenario"].rsplit(" · ", 1)[1]] = row
    return table


def targets(results: dict[str, Any]) -> list[tuple[str, str, bool]]:
    rows = []
    measured = results["measured"]
    errors = sum(item["errors"] for item in measured) + sum(
        row["errors"] for row in results["growth"]
    )
    requests = sum(item["requests"] for item in measured) + sum(
        row["requests"] for row in results["growth"]
    )
    unequal = [name for name, same in results["equal_to_floor"].items() if not same]
    rows.append(
        (
            "Zero errors",
            f"{errors} errors in {requests:,} requests; floor and server answers "
            + ("identical" if not unequal else f"differ for {', '.join(unequal)}"),
            errors == 0 and not unequal,
        )
    )
    counts = results["statements"]
    for kind, label in (("sessions", "sessions per agent"), ("messages", "messages per session")):
        per_size = {
            size: "/".join(str(counts[row["scenario"]]) for row in parts.values())
            for size, parts in _growth(results, kind).items()
        }
        same = len(set(per_size.values())) == 1
        shown = ", ".join(f"{size:,}: {value}" for size, value in per_size.items())
        rows.append((f"Same statement count at every size ({label})", shown, same))
    ratios = []
    first_workers = results["options"]["workers"][0]
    for first, deep in PAIRS:
        a = _find(results, first, "server", first_workers, 1)
        b = _find(results, deep, "server", first_workers, 1)
        if a and b:
            ratios.append((first.rsplit(" · ", 1)[0], b["p50"] / a["p50"]))
    for size, parts in _growth(results, "sessions").items():
        ratios.append((f"{size:,} sessions", parts["deep"]["p50"] / parts["first"]["p50"]))
    for size, parts in _growth(results, "messages").items():
        ratios.append((f"{size:,} messages", parts["middle"]["p50"] / parts["newest"]["p50"]))
    rows.append(
        (
            "Deep page ≤ 1.5x first page (p50, 1 client)",
            ", ".join(f"{name} {ratio:.2f}x" for name, ratio in ratios),
            all(ratio <= 1.5 for _, ratio in ratios),
        )
    )
    floor_ratios = []
    for item in measured:
        if item["target"] == "server" and item["clients"] == 1:
            floor = _find(results, item["scenario"], "floor", item["workers"], 1)
            if floor:
                floor_ratios.append((item["scenario"], item["workers"], item["p50"] / floor["p50"]))
    worst = max(floor_ratios, key=lambda entry: entry[2]) if floor_ratios else None
    rows.append(
        (
            "Each query within 3x its floor (p50, 1 client)",
            f"worst {worst[2]:.2f}x ({worst[0]}, {worst[1]} worker(s)); "
            f"{sum(ratio <= 3 for *_, ratio in floor_ratios)} of {len(floor_ratios)} within 3x"
            if worst
            else "not measured",
            bool(floor_ratios) and all(ratio <= 3 for *_, ratio in floor_ratios),
        )
    )
    first_page = _find(results, "ALL · 200 · first page", "server", first_workers, 1)
    rows.append(
        (
            "First page of the 200-session list < 100 ms p50, 1 client",
            f"{_ms(first_page['p50'])} ms" if first_page else "not measured",
            bool(first_page) and first_page["p50"] < 100,
        )
    )
    pages = [plan for plan in results["plans"] if not _summary(plan["sql"]).endswith("count")]
    scanned = sorted(
        {
            f"{_summary(plan['sql'])} ({plan['scenario']})"
            for plan in pages
            if plan["sequential_scans"]
        }
    )
    counts_scanned = sorted(
        {
            plan["scenario"]
            for plan in results["plans"]
            if plan not in pages and plan["sequential_scans"]
        }
    )
    rows.append(
        (
            "No sequential scan of chat_sessions or chat_messages in the plans of the list "
            "and page statements (custom and generic plans)",
            ("none" if not scanned else "Seq Scan in " + "; ".join(scanned))
            + (
                f"; the totalCount statement scans chat_sessions in: {', '.join(counts_scanned)}"
                if counts_scanned
                else ""
            ),
            not scanned,
        )
    )
    return rows


def render(results: dict[str, Any]) -> str:
    machine = results["machine"]
    plan = results["plan"]
    options = results["options"]
    lines = [
        START,
        "",
        f"Run of {results['started']} ({results['seconds']} s), "
        f"`python -m bench.run` with workers {options['workers']}, clients {options['clients']}, "
        f"at most {options['seconds']} s or {options['requests']} requests per measurement.",
        "",
        f"- Machine: {machine['cpus']} CPUs ({machine['cpu']}), {machine['memory_mb']:,} MB, "
        f"PostgreSQL {machine['postgresql']} (shared_buffers {machine['shared_buffers']}), "
        f"Python {machine['python']}.",
        f"- Load average (1, 5, 15 min) before: {results['load_before']}, "
        f"after: {results['load_after']}.",
        f"- Data: {plan['sessions']:,} sessions listed for the busiest agent "
        f"({results['list_sizes']['MINE']:,} of them in the MINE list of its heaviest user), "
        f"{plan['messages']:,} messages, longest session {plan['long']:,} messages, seed "
        f"{plan['seed']}; "
        + (
            f"generated and loaded in {results['load_seconds']} s."
            if results.get("load_seconds")
            else "loaded by an earlier run."
        ),
        "",
        "### Targets",
        "",
        "| target | measured | met |",
        "|---|---|---|",
    ]
    for name, value, met in targets(results):
        lines.append(f"| {name} | {value} | {'yes' if met else '**no**'} |")
    counts = results["statements"]
    for workers in options["workers"]:
        lines += [
            "",
            f"### {_workers_title(workers)}",
            "",
            "| scenario | clients | req/s | p50 ms | p95 ms | p99 ms | SQL/req | CPU ms/req "
            "| errors | floor p50 ms | floor CPU ms/req | p50 ÷ floor |",
            "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
        ]
        for item in results["measured"]:
            if item["workers"] != workers or item["target"] != "server":
                continue
            floor = _find(results, item["scenario"], "floor", workers, item["clients"])
            if item["scenario"].startswith("mix"):
                sql = " · ".join(str(counts[name]) for name in counts if name.startswith("mix · "))
            else:
                sql = str(counts.get(item["scenario"], "-"))
            lines.append(
                f"| {item['scenario']} | {item['clients']} | {item['throughput']:.0f} "
                f"| {_ms(item['p50'])} | {_ms(item['p95'])} | {_ms(item['p99'])} | {sql} "
                f"| {_ms(item['cpu_ms'])} | {item['errors']} "
                f"| {_ms(floor['p50'] if floor else None)} "
                f"| {_ms(floor['cpu_ms'] if floor else None)} "
                f"| {_ratio(item, floor)} |"
            )
    lines += [
        "",
        "Floor requests run 1 SQL statement each. CPU ms/req: CPU time of the uvicorn "
        "processes over the measurement, divided by the requests (PostgreSQL's own time "
        "not included). The mix's SQL/req are list · chat · create · rename · delete.",
        "",
        "### Growth (1 worker, 1 client, p50 ms)",
        "",
        "| sessions listed | first page (50) | deep page (at 90 %) | deep ÷ first "
        "| first page + totalCount | SQL/req first · deep · +total |",
        "|--:|--:|--:|--:|--:|--:|",
    ]
    for size, parts in _growth(results, "sessions").items():
        first, deep, total = parts["first"], parts["deep"], parts["total"]
        lines.append(
            f"| {size:,} | {_ms(first['p50'])} | {_ms(deep['p50'])} "
            f"| {deep['p50'] / first['p50']:.2f}x | {_ms(total['p50'])} "
            f"| {counts[first['scenario']]} · {counts[deep['scenario']]} "
            f"· {counts[total['scenario']]} |"
        )
    lines += [
        "",
        "| messages in session | newest 100 | 100 before the middle | middle ÷ newest "
        "| SQL/req newest · middle |",
        "|--:|--:|--:|--:|--:|",
    ]
    for size, parts in _growth(results, "messages").items():
        newest, middle = parts["newest"], parts["middle"]
        lines.append(
            f"| {size:,} | {_ms(newest['p50'])} | {_ms(middle['p50'])} "
            f"| {middle['p50'] / newest['p50']:.2f}x "
            f"| {counts[newest['scenario']]} · {counts[middle['scenario']]} |"
        )
    lines += [
        "",
        "### Query plans",
        "",
        "Every statement a scenario sends to chat_sessions or chat_messages, run again under "
        "`EXPLAIN (ANALYZE, BUFFERS)` with the values the server bound (custom plan), and "
        "planned as a generic plan (what a cached prepared statement may switch to).",
        "",
        "| scenario | statement | indexes used | sequential scans | execution ms |",
        "|---|---|---|---|--:|",
    ]
    for entry in results["plans"]:
        sql = entry["sql"]
        lines.append(
            f"| {entry['scenario']} | `{_summary(sql)}` | {', '.join(entry['indexes']) or '-'} "
            f"| {', '.join(entry['sequential_scans']) or 'none'} | {_ms(entry['milliseconds'])} |"
        )
    lines += ["", "<details><summary>The plans of the main scenarios</summary>", ""]
    main = {item["scenario"] for item in results["measured"]}
    for entry in results["plans"]:
        if entry["scenario"] not in main:
            continue
        lines += [
            f"**{entry['scenario']}** — `{_summary(entry['sql'])}`",
            "",
            "```",
            *[line for line in entry["custom"] if any(node in line for node in PLAN_NODES)],
            "-- generic plan:",
            *[line for line in entry["generic"] if any(node in line for node in PLAN_NODES)],
            "```",
            "",
        ]
    lines += ["</details>", "", END]
    return "\n".join(lines)


def _workers_title(label: str) -> str:
    count, _, fix = label.partition("+")
    title = f"{count} uvicorn worker{'s' if count != '1' else ''}"
    return title + (" with TCP_NODELAY (`bench.nodelay`)" if fix else "")


def _summary(sql: str) -> str:
    """What a statement reads: its first table and whether it counts or pages."""
    text = sql.replace("|", "\\|")
    if "count(*)" in text and "GROUP BY" in text:
        return "message counts (GROUP BY conversation_id)"
    if "count(*)" in text and "chat_sessions" in text:
        return "session count"
    if "count(*)" in text:
        return "message count"
    if "UNION ALL" in text:
        return "session page (2 legs, UNION ALL)"
    if "FROM chat_sessions" in text and "LIMIT" in text:
        return "session page"
    if "FROM chat_messages" in text:
        return "message page"
    if "FROM chat_sessions" in text:
        return "session by id"
    return text[:60]


def write_report(results: dict[str, Any]) -> None:
    text = BENCHMARKS.read_text() if BENCHMARKS.exists() else "# Benchmarks\n"
    block = render(results)
    if START in text and END in text:
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n## Latest run\n\n" + block + "\n"
    BENCHMARKS.write_text(text)
