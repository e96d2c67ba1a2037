"""The use-cases every interface shares (CLI, GraphQL, phone viewer): each returns the read models
of readmodels.py, so the same question gives the same fields and numbers everywhere.

- importing, characterisation: import content (detect -> read -> link -> characterise over the
  whole graph -> write, all or nothing)
- calculation: calculate every process; refresh stale results on demand (with_fresh_results)
- footprint: the footprint of an amount of a process, per flow and per database
- tree, nodes: unfold a footprint, jump between databases, one node in its context, deep links
- exporting: write a database as ILCD or JSON-LD
- models, check, coverage, datasets, demo, cypher: browse and edit the model, completeness and
  greenhouse-gas coverage, open data, the demo, read-only Cypher
- foreground, stages, publishing, battery, snapshots: foreground-model files (import, export), the
  footprint per life-cycle stage, published versions (content hash, frozen snapshot), the battery
  carbon-footprint declaration
- session, errors: the open store an app shares; how expected failures are shown
"""
