import type { OperatorService } from '@temporalio/client';
import { TypedSearchAttributes, type SearchAttributeType } from '@temporalio/common';
import {
  encodeSearchAttributeIndexedValueType,
  type SearchAttributeKey,
} from '@temporalio/common/lib/search-attributes';
import { SYNC_OUTCOME } from '../../workflows/search-attributes';

/** Every custom search attribute the workflows set. */
export const SEARCH_ATTRIBUTES: readonly SearchAttributeKey<SearchAttributeType>[] = [SYNC_OUTCOME];

/** The Temporal CLI command that registers `key` in `namespace` of a self-hosted server. */
export function searchAttributeCreateCommand(key: SearchAttributeKey<SearchAttributeType>, namespace: string): string {
  const type = TypedSearchAttributes.toMetadataType(key.type);
  return `temporal operator search-attribute create --namespace ${namespace} --name ${key.name} --type ${type}`;
}

export class SearchAttributesNotRegisteredError extends Error {
  override readonly name = 'SearchAttributesNotRegisteredError';

  constructor(
    readonly namespace: string,
    readonly missing: readonly SearchAttributeKey<SearchAttributeType>[],
  ) {
    const list = missing.map((key) => `${key.name} (${TypedSearchAttributes.toMetadataType(key.type)})`).join(', ');
    const commands = missing.map((key) => `  ${searchAttributeCreateCommand(key, namespace)}`).join('\n');
    super(
      `The Temporal namespace "${namespace}" lacks a search attribute the sync workflows set: ${list}. ` +
        'The server would refuse each run its outcome and leave it stuck "Running". Register it once ' +
        `(add --address and your other connection flags), then start the worker again:\n${commands}`,
    );
  }
}

/** Registers every attribute the workflows set; one already registered with the same type is left as it is. */
export async function registerSearchAttributes(
  operatorService: Pick<OperatorService, 'addSearchAttributes'>,
  namespace: string,
): Promise<void> {
  const searchAttributes = Object.fromEntries(
    // Defined for every type the key can have: `undefined` is only for an absent one.
    SEARCH_ATTRIBUTES.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)!]),
  );
  await operatorService.addSearchAttributes({ namespace, searchAttributes });
}

/**
 * Fails fast when the namespace lacks an attribute the workflows set: the server would reject the workflow
 * task that sets it, over and over, leaving every sync stuck "Running".
 */
export async function assertSearchAttributesRegistered(
  operatorService: Pick<OperatorService, 'listSearchAttributes'>,
  namespace: string,
): Promise<void> {
  const { customAttributes } = await operatorService.listSearchAttributes({ namespace });
  const missing = SEARCH_ATTRIBUTES.filter(
    (key) => customAttributes?.[key.name] !== encodeSearchAttributeIndexedValueType(key.type),
  );
  if (missing.length > 0) throw new SearchAttributesNotRegisteredError(namespace, missing);
}
