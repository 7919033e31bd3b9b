"""The handbook site: plain Python that turns the model into pages; MkDocs only calls it."""
