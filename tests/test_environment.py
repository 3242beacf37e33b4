# Checks that environment.yml (conda) and pyproject.toml (pip) ask for the same distributions with the
# same lower bounds, so that conda users and venv users run the same code. Pure comparison helpers first.
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

# conda-forge packages whose name differs from the PyPI distribution they provide (PyPI name -> conda name).
# conda-forge's "playwright" is the Node.js tool; the Python package is "playwright-python".
CONDA_NAME_FOR = {"playwright": "playwright-python"}
PYPI_NAME_FOR = {conda: pypi for pypi, conda in CONDA_NAME_FOR.items()}

# Entries of the conda section that are tooling, not distributions of pyproject.toml.
CONDA_TOOLING = {"python", "pip"}

_REQUIREMENT = re.compile(
    r"""^\s*(?:[\w.-]+::)?            # optional conda channel prefix, e.g. conda-forge::
        (?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)
        \s*(?:\[[^\]]*\])?            # optional extras, e.g. pandas[excel]
        (?P<spec>[^;#]*)              # version specifiers, up to markers or a comment
    """,
    re.VERBOSE,
)
_LOWER_BOUND = re.compile(r">=\s*([^,\s]+)")


def normalize_name(name: str) -> str:
    """Distribution name for comparison: lowercase, runs of `_`, `.` and `-` become one `-`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def normalize_version(version: str) -> tuple[int, ...] | str:
    """Version for comparison: numeric release without trailing zeros ("3.0" == "3"); other text as is."""
    parts = version.split(".")
    if not all(part.isdigit() for part in parts):
        return version
    numbers = [int(part) for part in parts]
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


def _comparable(bound: str | None) -> tuple[int, ...] | str | None:
    return None if bound is None else normalize_version(bound)


def parse_requirement(requirement: str) -> tuple[str, str | None]:
    """Split a PEP 508 or conda requirement into (normalized name, lower bound or None)."""
    match = _REQUIREMENT.match(requirement)
    if match is None:
        raise ValueError(f"cannot read requirement {requirement!r}")
    bound = _LOWER_BOUND.search(match.group("spec"))
    return normalize_name(match.group("name")), bound.group(1) if bound else None


def _collect(requirements: list[str], source: str, names: dict, problems: list[str], rename: dict) -> None:
    for requirement in requirements:
        name, bound = parse_requirement(requirement)
        name = rename.get(name, name)
        if name in names:
            problems.append(f"{source}: {name} is listed twice")
        names[name] = bound


def pyproject_requirements(pyproject: dict) -> tuple[dict[str, str | None], list[str]]:
    """Distributions of [project.dependencies] and every optional-dependency group: name -> lower bound.

    Returns the mapping and a list of problems found while reading (duplicates).
    """
    project = pyproject["project"]
    requirements = list(project.get("dependencies", []))
    for group in project.get("optional-dependencies", {}).values():
        requirements.extend(group)
    names: dict[str, str | None] = {}
    problems: list[str] = []
    _collect(requirements, "pyproject.toml", names, problems, {})
    return names, problems


def conda_requirements(environment: dict) -> tuple[dict[str, str | None], list[str]]:
    """Distributions of environment.yml, conda entries and the `pip:` subsection alike: name -> lower bound.

    Conda names are mapped to PyPI names (CONDA_NAME_FOR); `python` and `pip` are left out, and so are
    pip options such as `-e .`. Returns the mapping and a list of problems found while reading.
    """
    conda: list[str] = []
    pip: list[str] = []
    for entry in environment.get("dependencies", []):
        if isinstance(entry, dict):
            pip.extend(line for line in entry.get("pip", []) if not line.lstrip().startswith("-"))
        else:
            conda.append(entry)
    names: dict[str, str | None] = {}
    problems: list[str] = []
    conda_names = [parse_requirement(entry)[0] for entry in conda]
    problems += [
        f"environment.yml: conda-forge's {name} is another project; the Python package is {CONDA_NAME_FOR[name]}"
        for name in conda_names
        if name in CONDA_NAME_FOR
    ]
    conda = [entry for entry, name in zip(conda, conda_names) if name not in CONDA_TOOLING | CONDA_NAME_FOR.keys()]
    _collect(conda, "environment.yml", names, problems, PYPI_NAME_FOR)
    _collect(pip, "environment.yml (pip)", names, problems, {})
    return names, problems


def compare_requirements(pyproject: dict, environment: dict) -> list[str]:
    """Every way in which the two files disagree, one readable line each; empty when they agree."""
    wanted, problems = pyproject_requirements(pyproject)
    listed, env_problems = conda_requirements(environment)
    problems += env_problems
    for name in sorted(wanted.keys() - listed.keys()):
        problems.append(f"{name} is in pyproject.toml but missing from environment.yml")
    for name in sorted(listed.keys() - wanted.keys()):
        problems.append(f"{name} is in environment.yml but not in pyproject.toml")
    for name in sorted(wanted.keys() & listed.keys()):
        ours, theirs = wanted[name], listed[name]
        if _comparable(ours) != _comparable(theirs):
            problems.append(
                f"{name}: lower bound {ours or 'none'} in pyproject.toml, {theirs or 'none'} in environment.yml"
            )
    return problems


def _python_bound(environment: dict) -> str | None:
    for entry in environment.get("dependencies", []):
        if isinstance(entry, str) and parse_requirement(entry)[0] == "python":
            return parse_requirement(entry)[1]
    return None


def _pyproject(dependencies: list[str], test: list[str] | None = None) -> dict:
    return {"project": {"dependencies": dependencies, "optional-dependencies": {"test": test or []}}}


def _environment(conda: list[str], pip: list[str] | None = None) -> dict:
    entries: list = ["python>=3.11", "pip", *conda]
    if pip is not None:
        entries.append({"pip": pip})
    return {"channels": ["conda-forge"], "dependencies": entries}


# --- the real files ---------------------------------------------------------------------------------

def _real_files() -> tuple[dict, dict]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    environment = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    return pyproject, environment


def test_environment_yml_lists_the_same_distributions_and_bounds_as_pyproject():
    pyproject, environment = _real_files()
    assert compare_requirements(pyproject, environment) == []


def test_environment_yml_python_bound_matches_requires_python():
    pyproject, environment = _real_files()
    assert pyproject["project"]["requires-python"] == f">={_python_bound(environment)}"


def test_environment_yml_uses_conda_forge():
    _, environment = _real_files()
    assert environment["channels"][0] == "conda-forge"


# --- the comparison, on synthetic pairs -----------------------------------------------------------

def test_a_dependency_missing_from_environment_yml_is_reported():
    problems = compare_requirements(_pyproject(["pandas>=3.0", "networkx>=3.2"]), _environment(["pandas>=3.0"]))
    assert problems == ["networkx is in pyproject.toml but missing from environment.yml"]


def test_a_test_extra_missing_from_environment_yml_is_reported():
    problems = compare_requirements(_pyproject(["pandas>=3.0"], test=["pytest>=8.0"]), _environment(["pandas>=3.0"]))
    assert problems == ["pytest is in pyproject.toml but missing from environment.yml"]


def test_a_dependency_only_in_environment_yml_is_reported():
    problems = compare_requirements(_pyproject(["pandas>=3.0"]), _environment(["pandas>=3.0", "scipy>=1.11"]))
    assert problems == ["scipy is in environment.yml but not in pyproject.toml"]


def test_a_different_lower_bound_is_reported():
    problems = compare_requirements(_pyproject(["papermill>=2.6"]), _environment(["papermill>=2.5"]))
    assert problems == ["papermill: lower bound 2.6 in pyproject.toml, 2.5 in environment.yml"]


def test_a_lower_bound_missing_on_one_side_is_reported():
    problems = compare_requirements(_pyproject(["pyyaml>=6.0"]), _environment(["pyyaml"]))
    assert problems == ["pyyaml: lower bound 6.0 in pyproject.toml, none in environment.yml"]


def test_pip_subsection_entries_count_as_listed():
    problems = compare_requirements(
        _pyproject(["pandas>=3.0", "matplotlib-fontja>=1.0"]),
        _environment(["pandas>=3.0"], pip=["matplotlib-fontja>=1.0", "-e ."]),
    )
    assert problems == []


def test_names_are_compared_case_and_separator_insensitively():
    problems = compare_requirements(_pyproject(["SudachiDict_core>=20240109"]), _environment(["sudachidict-core>=20240109"]))
    assert problems == []


def test_trailing_zeros_do_not_make_bounds_differ():
    problems = compare_requirements(_pyproject(["jupyterlab>=4.0"]), _environment(["jupyterlab >=4"]))
    assert problems == []


def test_conda_forge_playwright_python_stands_for_the_pypi_playwright():
    problems = compare_requirements(_pyproject(["playwright>=1.45"]), _environment(["playwright-python>=1.45"]))
    assert problems == []


def test_conda_forge_playwright_in_the_conda_section_is_reported():
    problems = compare_requirements(_pyproject(["playwright>=1.45"]), _environment(["playwright>=1.45"]))
    assert problems[0] == (
        "environment.yml: conda-forge's playwright is another project; the Python package is playwright-python"
    )


def test_a_distribution_listed_in_both_conda_and_pip_sections_is_reported():
    problems = compare_requirements(
        _pyproject(["seaborn>=0.13"]), _environment(["seaborn>=0.13"], pip=["seaborn>=0.13"])
    )
    assert problems == ["environment.yml (pip): seaborn is listed twice"]
