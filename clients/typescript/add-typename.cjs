// A codegen document transform (codegen.yml): the client preset's own, which adds
// __typename to every selection set but a subscription's root.
const { addTypenameSelectionDocumentTransform } = require("@graphql-codegen/client-preset");

exports.transform = addTypenameSelectionDocumentTransform.transform;
