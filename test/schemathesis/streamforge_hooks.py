"""The string formats serve-producer's schemas declare, for schemathesis to generate.

`json-object` (typed events' `data` as text, as the Go service took it) is the JSON text of an
object; without this, schemathesis treats it as any string and reports "000" as valid data.
"""
import json

import schemathesis
from hypothesis import strategies as st

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)

schemathesis.openapi.format(
    "json-object",
    # keys of at most 8 characters cannot spell __proto__ or constructor, which the server refuses
    st.dictionaries(st.text(max_size=8), json_values, max_size=4).map(json.dumps),
)
