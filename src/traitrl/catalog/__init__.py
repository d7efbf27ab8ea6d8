"""The catalog: traits, domains and pressure types, with ids other modules import."""

from traitrl.catalog.domains import DOMAIN_INFO, DOMAINS, Domain
from traitrl.catalog.pressures import PRESSURE_INFO, PRESSURES, Pressure
from traitrl.catalog.traits import EVAL_TRAITS, HEADLINE_TRAITS, TRAIT_INFO, TRAITS, Trait, resolve_traits

__all__ = ["DOMAINS", "DOMAIN_INFO", "Domain", "EVAL_TRAITS", "HEADLINE_TRAITS", "PRESSURES", "PRESSURE_INFO",
           "Pressure", "TRAITS", "TRAIT_INFO", "Trait", "resolve_traits"]
