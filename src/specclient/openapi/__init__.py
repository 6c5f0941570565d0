"""The spec engine: load an OpenAPI 3.x / Swagger 2.0 document into the normalised model.

>>> from specclient.openapi import load
>>> spec = load("petstore.yaml")                       # doctest: +SKIP
>>> spec.operations("pets")["list"].params             # doctest: +SKIP
"""

from .._resources import bundled_spec
from .loader import load
from .model import (
    MISSING,
    Operation,
    Pagination,
    Param,
    RequestBody,
    ResponseShape,
    SecurityScheme,
    Spec,
    Waiter,
    is_nullable,
    schema_types,
)
from .naming import CIVIS_PYTHON, DEFAULT_RULES, NamingRules

__all__ = [
    "CIVIS_PYTHON",
    "DEFAULT_RULES",
    "MISSING",
    "NamingRules",
    "Operation",
    "Pagination",
    "Param",
    "RequestBody",
    "ResponseShape",
    "SecurityScheme",
    "Spec",
    "Waiter",
    "bundled_spec",
    "is_nullable",
    "load",
    "schema_types",
]
