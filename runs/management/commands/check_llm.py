from django.core.management.base import BaseCommand, CommandError

from runs.execution.llm_checks import check_targets, checks_record, engines_not_configured


class Command(BaseCommand):
    help = (
        "Call every configured model and engine once: reachable, answers valid JSON, takes images, latency, "
        "price per 1k tokens when known. Exits non-zero when one fails, for deploy scripts."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--all",
            action="store_true",
            help="also every other model a request may name (GET /api/v1/models)",
        )

    def handle(self, *args, **options) -> None:
        for line in engines_not_configured():
            self.stdout.write(line)
        if not check_targets(everything=options["all"]):
            raise CommandError(
                "No model is configured: set SKYVERN_LLM_MODEL (or Skyvern's LLM_KEY) and its key"
            )
        results = checks_record(everything=options["all"])  # the Discover page shows it too
        for result in results:
            self.stdout.write(result.line())
        failed = [result for result in results if not result.ok]
        if failed:
            raise CommandError(f"{len(failed)} of {len(results)} checked model(s) failed", returncode=1)
        self.stdout.write(f"All {len(results)} checked model(s) answer.")
