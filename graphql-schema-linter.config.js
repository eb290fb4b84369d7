// graphql-schema-linter's configuration. tests/schema/test_schema_lint.py lints the schema
// the server exports with it and fails on any finding; `npx graphql-schema-linter` lints
// the committed schema.graphql.
//
// `rules` lists the rules that run: every built-in rule but two, each left out for the
// reason below. Descriptions are never exempt.
//
// - type-fields-sorted-alphabetically: a type's fields keep the API contract's order
//   (id first, then in the order a reader needs them), which schema.graphql, GraphiQL's
//   docs pane and the generated clients all follow. Sorting is about order, not meaning.
// - enum-values-sorted-alphabetically: enum values are in an order that means something
//   (UserRole from the most powerful role down, SessionScope MINE before ALL, MessageRole
//   as the contract lists them); sorting them would lose it.
module.exports = {
  schemaPaths: ["schema.graphql"],
  rules: [
    "arguments-have-descriptions",
    "defined-types-are-used",
    "deprecations-have-a-reason",
    "descriptions-are-capitalized",
    "enum-values-all-caps",
    "enum-values-have-descriptions",
    "fields-are-camel-cased",
    "fields-have-descriptions",
    "input-object-fields-sorted-alphabetically",
    "input-object-values-are-camel-cased",
    "input-object-values-have-descriptions",
    "interface-fields-sorted-alphabetically",
    "relay-connection-arguments-spec",
    "relay-connection-types-spec",
    "relay-page-info-spec",
    "types-are-capitalized",
    "types-have-descriptions",
  ],
  ignore: {
    // The contract's own description of sourceChannel begins with a channel's name as it
    // is stored ("web, feishu, …"): lower case on purpose, and the contract's text is kept.
    // RunDelivery.errorCode's begins with the event type it names (delivery_failed).
    "descriptions-are-capitalized": ["Session.sourceChannel", "RunDelivery.errorCode"],
  },
};
