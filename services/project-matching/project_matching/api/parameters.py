"""The request parameters the routers share (the guarantee network's too): path ids and list parameters."""

from typing import Annotated

from fastapi import Path, Query

from yizhou.list_parameters import After, SubtreeCode  # noqa: F401  (the vocabulary, re-exported)

Id = Annotated[str, Path(max_length=64)]
Limit = Annotated[int, Query(ge=1, le=1000)]
