/** An account as shown in the tree. */
export interface TreeAccount {
  readonly name: string;
  readonly organizationalUnit: string;
  readonly environment: string;
  readonly id?: string;
  readonly status?: string;
}

/** Renders Root → OU → account (ID, environment) as an indented tree. */
export function renderTree(input: {
  readonly title: string;
  readonly organizationalUnits: readonly { readonly name: string; readonly parent?: string }[];
  readonly management: TreeAccount;
  readonly accounts: readonly TreeAccount[];
}): string {
  const lines = [input.title, 'Root'];
  const label = (a: TreeAccount) => `${a.name}  ${a.id ?? '(not created)'}  env=${a.environment}${a.status && a.status !== 'ACTIVE' ? `  [${a.status}]` : ''}`;
  const children = (parent: string | undefined): { label: string; parent?: string; ou?: string }[] => [
    ...input.organizationalUnits.filter((ou) => ou.parent === parent).map((ou) => ({ label: `${ou.name}/`, ou: ou.name })),
    ...input.accounts.filter((a) => (parent === undefined ? false : a.organizationalUnit === parent)).map((a) => ({ label: label(a) })),
  ];
  const walk = (parent: string | undefined, prefix: string) => {
    const items = children(parent);
    items.forEach((item, i) => {
      const last = i === items.length - 1;
      lines.push(`${prefix}${last ? '└─ ' : '├─ '}${item.label}`);
      if (item.ou) walk(item.ou, `${prefix}${last ? '   ' : '│  '}`);
    });
  };
  lines.push(`├─ ${label(input.management)}  (management account)`);
  walk(undefined, '');
  return lines.join('\n');
}
