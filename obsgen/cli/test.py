"""`obsgen test`: argument parsing and output; building then running lives in obsgen.build.spec_tests, running promtool in obsgen.artifacts.ruletests.runner."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from obsgen.artifacts.layout import OUT_DIR
from obsgen.build.membership import output_dir
from obsgen.build.spec_tests import run_specs
from obsgen.cli.params import prometheus_version_option
from obsgen.cli.progress_options import progress_options
from obsgen.errors import ObsgenError
from obsgen.spec.files import spec_files
from obsgen.tools.promtool import PromtoolError, PromtoolNotFound


@click.command("test")
@click.argument("specs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path),
              help="Directory holding the generated <journey>/ sub-directories to test (default: the directory "
                   f"under {OUT_DIR}/ these specs were built into, else {OUT_DIR}/).")
@click.option("--fresh", is_flag=True,
              help="Build each spec into a temporary directory and test that, not the committed output.")
@click.option("--extended", is_flag=True,
              help="Also write and run the long scenarios builds leave out (SLO-window ratios over a day of "
                   "varying traffic, the low-traffic guard): several times the promtool work; implies --fresh.")
@prometheus_version_option
@progress_options
def rule_test(specs: tuple[Path, ...], out_dir: Path | None, fresh: bool, extended: bool,
              prometheus_version: int | None) -> None:
    """Run the generated promtool rule unit tests of SPECS' journeys: every alert must fire in its
    scenarios at the computed minute and stay quiet elsewhere; every recording rule must give the
    expected value on known inputs. Exit 1 on any failure, naming the alert and the scenario."""
    files = spec_files(specs)
    try:
        passed = run_specs(files, output_dir(files, out_dir), fresh=fresh, echo=click.echo,
                           prometheus_version=prometheus_version, extended=extended)
    except ObsgenError as error:
        click.echo(f"obsgen test: {error}", err=True)
        sys.exit(error.exit_code)
    except (PromtoolNotFound, PromtoolError) as error:
        click.echo(f"obsgen test: {error}", err=True)
        sys.exit(2)
    sys.exit(0 if passed else 1)
