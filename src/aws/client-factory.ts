import { fromIni, fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { type Clock, systemClock } from '../clock.js';

/** Where commands send their AWS calls. */
export type Target = 'sandbox' | 'aws';

/** Settings every AWS client is built from. */
export interface AwsSettings {
  readonly target: Target;
  readonly region: string;
  /** Named profile; only used with target aws. */
  readonly profile?: string;
  /** Custom endpoint: the emulator, LocalStack, or none for real AWS. */
  readonly endpoint?: string;
  /** Role assumed in member accounts. @default OrganizationAccountAccessRole */
  readonly memberRoleName?: string;
  /**
   * Explicit credentials (with target aws), such as a session an action has just assumed, or a provider that assumes it
   * again before it expires (src/delivery/session.ts). @default the profile or the standard chain
   */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** What time it is, for when member-account credentials expire. @default the system clock */
  readonly now?: Clock;
}

/** One AWS call as seen by observers: for API-call counts and the sandbox's CloudTrail recorder. */
export interface AwsCallRecord {
  readonly service: string;
  readonly operation: string;
  readonly region: string;
  readonly accountId?: string;
  readonly input: unknown;
  readonly error?: { readonly name: string; readonly message: string };
  readonly startedAt: Date;
}

export type AwsCallObserver = (call: AwsCallRecord) => void;

/** Options for one client. */
export interface ClientOptions {
  /** Member account to act in, through its OrganizationAccountAccessRole. @default the caller's account */
  readonly accountId?: string;
  /** @default the factory's region */
  readonly region?: string;
  /** SDK attempts; 1 for non-idempotent creates that the engine retries itself, after checking. @default 8 */
  readonly maxAttempts?: number;
}

// biome-ignore lint/suspicious/noExplicitAny: SDK client constructors take service-specific config types.
type ClientConstructor<C> = new (config: any) => C;

interface SdkClient {
  middlewareStack: {
    add(middleware: unknown, options: { step: 'initialize'; name: string; override?: boolean }): void;
  };
}

/**
 * Clients whose endpoint rules put the account ID into the host name (`123456789012.s3-control…`), which an
 * emulator on 127.0.0.1 cannot answer; with a custom endpoint they get that endpoint as-is.
 */
const ACCOUNT_IN_HOST_CLIENTS = new Set(['S3ControlClient']);

/** The sandbox's dummy credentials; moto maps any unknown key to its default account. */
export const SANDBOX_CREDENTIALS: AwsCredentialIdentity = { accessKeyId: 'groundwork-sandbox', secretAccessKey: 'groundwork-sandbox' };

/** Builds every SDK v3 client Groundwork uses: one region, credential and endpoint policy, adaptive retries, and observers. */
export class ClientFactory {
  readonly settings: AwsSettings;
  private readonly baseCredentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  private readonly memberCredentials = new Map<string, AwsCredentialIdentityProvider>();
  private readonly observers: AwsCallObserver[] = [];

  constructor(settings: AwsSettings) {
    this.settings = settings;
    if (settings.target === 'sandbox') this.baseCredentials = SANDBOX_CREDENTIALS;
    else if (settings.credentials) this.baseCredentials = settings.credentials;
    else if (settings.profile) this.baseCredentials = fromIni({ profile: settings.profile });
    else this.baseCredentials = fromNodeProviderChain();
  }

  /** The caller's own credentials, for libraries that build their clients themselves (the CDK toolkit). */
  callerCredentials(): AwsCredentialIdentity | AwsCredentialIdentityProvider {
    return this.baseCredentials;
  }

  /** Adds an observer that sees every call made by clients created afterwards. */
  observe(observer: AwsCallObserver): () => void {
    this.observers.push(observer);
    return () => {
      const index = this.observers.indexOf(observer);
      if (index >= 0) this.observers.splice(index, 1);
    };
  }

  /** A client of the given SDK class, in the caller's account or, through its access role, a member account. */
  create<C>(Client: ClientConstructor<C>, options: ClientOptions = {}): C {
    const region = options.region ?? this.settings.region;
    const endpoint = this.settings.endpoint;
    const client = new Client({
      region,
      credentials: options.accountId ? this.credentialsFor(options.accountId) : this.baseCredentials,
      retryMode: 'adaptive',
      maxAttempts: options.maxAttempts ?? 8,
      requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 60_000 }),
      ...(endpoint ? { endpoint, forcePathStyle: true, disableHostPrefix: true } : {}),
      ...(endpoint && ACCOUNT_IN_HOST_CLIENTS.has(Client.name) ? { endpointProvider: () => ({ url: new URL(endpoint) }) } : {}),
    });
    this.instrument(client as unknown as SdkClient, region, options.accountId);
    return client;
  }

  /** One assumed-role session per member account, shared by every client and refreshed 5 minutes before it expires. */
  private credentialsFor(accountId: string): AwsCredentialIdentityProvider {
    let provider = this.memberCredentials.get(accountId);
    if (!provider) {
      const partition = this.settings.region.startsWith('cn-') ? 'aws-cn' : this.settings.region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
      const roleName = this.settings.memberRoleName ?? 'OrganizationAccountAccessRole';
      const assume = fromTemporaryCredentials({
        params: { RoleArn: `arn:${partition}:iam::${accountId}:role/${roleName}`, RoleSessionName: 'groundwork', DurationSeconds: 3600 },
        masterCredentials: this.baseCredentials,
        clientConfig: {
          region: this.settings.region,
          retryMode: 'adaptive',
          maxAttempts: 8,
          ...(this.settings.endpoint ? { endpoint: this.settings.endpoint } : {}),
        },
      });
      let current: Promise<AwsCredentialIdentity> | undefined;
      provider = async () => {
        const cached = current ? await current.catch(() => undefined) : undefined;
        if (cached && (!cached.expiration || cached.expiration.getTime() - (this.settings.now ?? systemClock)().getTime() > 5 * 60_000)) return cached;
        current = assume();
        return current;
      };
      this.memberCredentials.set(accountId, provider);
    }
    return provider;
  }

  private instrument(client: SdkClient, region: string, accountId: string | undefined): void {
    const observers = this.observers;
    client.middlewareStack.add(
      (next: (args: { input: unknown }) => Promise<unknown>, context: { clientName?: string; commandName?: string }) => async (args: { input: unknown }) => {
        const service = (context.clientName ?? 'Unknown').replace(/Client$/, '');
        const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
        const startedAt = (this.settings.now ?? systemClock)();
        try {
          const result = await next(args);
          for (const observer of observers) observer({ service, operation, region, accountId, input: args.input, startedAt });
          return result;
        } catch (error) {
          const e = error as Error & { $groundworkCall?: unknown };
          // The error names its call, so any layer can say which AWS action failed (toGroundworkError).
          if (e && typeof e === 'object' && !e.$groundworkCall) e.$groundworkCall = { service, operation, accountId };
          for (const observer of observers)
            observer({ service, operation, region, accountId, input: args.input, startedAt, error: { name: e.name, message: e.message } });
          throw error;
        }
      },
      { step: 'initialize', name: 'groundworkObserver', override: true },
    );
  }
}
