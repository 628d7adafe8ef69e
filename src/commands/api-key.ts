import { generateApiKey, hashApiKey, type Role } from '../api/auth';

/** Prints a new API key and the API_KEYS entry that grants it; only the entry goes into configuration. */
export function runApiKeyCommand(options: { role: Role }): void {
  const key = generateApiKey();
  console.log(`API key (give it to the client, it is shown only once): ${key}`);
  console.log(`API_KEYS entry: ${options.role}:${hashApiKey(key)}`);
}
