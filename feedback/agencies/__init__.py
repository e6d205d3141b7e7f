"""The agency tree: import, browse, and the subtree queries every role check stands on."""
