"""The request parameters the registry's routers share: list parameters and PATCH bodies."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel

from yizhou.list_parameters import After, Search, Under  # noqa: F401  (the vocabulary, re-exported)
from yizhou.problems import Problem

Limit = Annotated[int, Query(ge=1, le=500)]


def changes_of(body: BaseModel, nullable: set[str], renames: dict[str, str] | None = None) -> dict[str, Any]:
    """The fields a PATCH sent; null is refused for fields that cannot be empty."""
    sent = body.model_dump(exclude_unset=True)
    refused = [k for k, v in sent.items() if v is None and k not in nullable]
    if refused:
        raise Problem("validation", "These fields cannot be null.",
                      errors=[{"field": k, "location": "body", "message": "cannot be null", "code": "null"}
                              for k in refused])
    renames = renames or {}
    return {renames.get(k, k): v for k, v in sent.items()}
