/**
 * A campaign lead's variables in what the agent says: "Hi {{first_name}}" becomes "Hi Ana". A variable the
 * lead does not have becomes empty (and the spaces it leaves collapse), so that the callee never hears braces.
 */
export const fillVariables = (text: string, variables: Readonly<Record<string, string>>): string =>
  text
    .replace(
      /\{\{\s*([a-z][a-z0-9_]*)\s*\}\}/gi,
      (_match, name: string) => variables[name.toLowerCase()] ?? '',
    )
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/\s+([,.!?;:])/g, '$1')
    .trim();

/**
 * The variables a campaign call fills in: the lead's own, plus `name` and `first_name` from the lead's name
 * when the import gave no such column.
 */
export const leadVariables = (lead: {
  readonly name?: string | undefined;
  readonly variables: Readonly<Record<string, string>>;
}): Record<string, string> => {
  const name = lead.variables['name'] ?? lead.name;
  const first = lead.variables['first_name'] ?? name?.trim().split(/\s+/)[0];
  return {
    ...lead.variables,
    ...(name !== undefined && { name }),
    ...(first !== undefined && first !== '' && { first_name: first }),
  };
};
