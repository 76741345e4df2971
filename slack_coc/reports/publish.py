"""The transparency report as files to publish (for `/coc stats`): chairs only."""

from __future__ import annotations

from pathlib import Path

from slack_coc.context import Actor, ServiceContext
from slack_coc.reports.charts import write_charts
from slack_coc.reports.periods import Period
from slack_coc.reports.render import transparency_markdown
from slack_coc.reports.transparency import TransparencyReport, transparency_report
from slack_coc.services.access import require_chair


def transparency_files(
    ctx: ServiceContext, actor: Actor, period_text: str, out_dir: Path
) -> tuple[TransparencyReport, list[Path]]:
    """The Markdown report and its PNG charts, written to `out_dir`."""
    period = Period.parse(period_text)
    with ctx.read() as session:
        require_chair(session, actor)
        report = transparency_report(
            session,
            actor.team_id,
            period,
            threshold=ctx.policy.small_count_threshold,
            violation_types=ctx.policy_for(session, actor.team_id).violation_types,
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    markdown = out_dir / f"transparency-{period.label}.md"
    markdown.write_text(transparency_markdown(report), encoding="utf-8")
    return report, [markdown, *write_charts(report, out_dir)]
