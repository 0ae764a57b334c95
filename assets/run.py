"""Run the `ingest_and_publish` job as a real Dagster run recorded in $DAGSTER_HOME.

`python -m assets.run` is what `xxgk run` and `xxgk demo` call (pipelines must not import Dagster).
"""

import sys

import dagster as dg

from assets.definitions import defs


def report_run(result: dg.ExecuteInProcessResult) -> int:
    """Print failed blocking checks and the run's outcome; the exit status a command should return."""
    failed_checks = [
        c
        for c in result.get_asset_check_evaluations()
        if not c.passed and c.severity == dg.AssetCheckSeverity.ERROR
    ]
    for check in failed_checks:
        print(
            f"blocking check failed: {check.asset_key.to_user_string()}:{check.check_name}", file=sys.stderr
        )
    print(f"dagster run {result.run_id}: {'success' if result.success else 'failure'}", file=sys.stderr)
    return 0 if result.success and not failed_checks else 1


def main() -> int:
    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def("ingest_and_publish").execute_in_process(
            instance=instance, raise_on_error=False
        )
    return report_run(result)


if __name__ == "__main__":
    sys.exit(main())
