/** What the review reads of `terraform providers schema -json`. */
interface SchemaAttribute {
  readonly type?: unknown;
  readonly computed?: boolean;
  readonly optional?: boolean;
  readonly required?: boolean;
}
export interface SchemaBlock {
  readonly attributes?: Readonly<Record<string, SchemaAttribute>>;
  readonly block_types?: Readonly<Record<string, { readonly nesting_mode: string; readonly block: SchemaBlock }>>;
}
export interface ProviderSchemas {
  readonly provider_schemas: Readonly<
    Record<
      string,
      { readonly resource_schemas: Readonly<Record<string, { readonly version: number; readonly block: SchemaBlock }>> }
    >
  >;
}
