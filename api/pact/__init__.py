"""PACT v3.0 (WBCSD Partnership for Carbon Transparency): lcagraph footprints shared as
ProductFootprint documents over the PACT API, with their own clients and tokens.

figures (the only door to the footprint use-case) -> documents -> publishing -> graph.pact_store;
routes/gate/listing/events/delivery are the HTTP side; cli holds ``lcagraph pact``.
"""
