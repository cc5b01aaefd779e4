"""The OpenAPI schema (drf-spectacular): what every operation shares. Per-view documentation
(summaries, examples, the exceptions a view raises, links) sits on the views."""
