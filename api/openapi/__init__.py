"""The OpenAPI schema (drf-spectacular): AutoSchema, shared components, hooks, the schema view.

Per-view documentation (summaries, examples, raised exceptions, links) sits on the views.
"""
