"""codemeta.json as a source of the record: its own checks, and its terms in Zenodo's terms.

codemeta 2.0 and 3.x are JSON-LD documents with schema.org and codemeta terms. The file is
read by the same loader as `.zenodo.json` (strict JSON, positions for every value, size
and depth limits); its terms are read by name, as the codemeta contexts define them.

`check` reports the file's own problems: loading, a top level that is not an object, a
`@context` that is not codemeta's, ORCIDs Zenodo cannot read, dates that are not dates,
people without a name. `to_zenodo` maps the terms Zenodo has a field for and notes what
the mapping could not carry (several licences or affiliations, funding that is not a
Zenodo grant). docs/codemeta-mapping.md documents every term read and every term dropped.

The modules, each one part of the file's reading:

- `jsonld`: a term's values in the forms JSON-LD allows, each a `Located(value, path)`;
  references to the node written out with the same `@id`.
- `agents`: the people and organizations of a term, as Zenodo creators (people.py).
- `checks`: `check`, the file's own problems.
- `mapping`: `to_zenodo`, the fields, calling on `licenses`, `links` (related
  identifiers) and `funding` (grants).
"""

from zenodo_action.metadata.codemeta.checks import (
    CONTEXTS,
    FILE_NAME,
    check,
    context_version,
    zenodo_field,
)
from zenodo_action.metadata.codemeta.mapping import to_zenodo

__all__ = ["CONTEXTS", "FILE_NAME", "check", "context_version", "to_zenodo", "zenodo_field"]
