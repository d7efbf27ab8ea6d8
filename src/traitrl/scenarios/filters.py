"""Domain and trait filters (`--domains`, `--exclude-domains`, `--traits`), e.g. for the paper's variants:
health-only trait data (`--domains health`) and trait data without health and science
(`--exclude-domains health,science`). Trait filters accept headline names such as `epistemic_humility`.
"""

from __future__ import annotations

from traitrl.catalog import DOMAINS, resolve_traits
from traitrl.errors import InputError
from traitrl.types import Scenario


def parse_list(value: str | None) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()] if value else []


def check_domains(domains: list[str], option: str) -> list[str]:
    bad = [d for d in domains if d not in DOMAINS]
    if bad:
        raise InputError(f"unknown domain {bad[0]!r}; known: {', '.join(DOMAINS)}", field=option)
    return domains


def filter_scenarios(scenarios: list[Scenario], domains: str | list[str] | None = None,
                     exclude_domains: str | list[str] | None = None,
                     traits: str | list[str] | None = None) -> list[Scenario]:
    """Keep scenarios in `domains` (all if empty), not in `exclude_domains`, with a trait in `traits`."""
    inc = check_domains(parse_list(domains) if isinstance(domains, str) else list(domains or []), "--domains")
    exc = check_domains(parse_list(exclude_domains) if isinstance(exclude_domains, str)
                        else list(exclude_domains or []), "--exclude-domains")
    names = parse_list(traits) if isinstance(traits, str) else list(traits or [])
    try:
        keep_traits = set(resolve_traits(names)) if names else None
    except KeyError as e:
        raise InputError(str(e.args[0]), field="--traits") from None
    return [s for s in scenarios
            if (not inc or s.domain in inc) and s.domain not in exc
            and (keep_traits is None or s.trait in keep_traits)]
