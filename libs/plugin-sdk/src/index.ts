/**
 * @keel/plugin-sdk — what a Keel plugin imports. This part is the runtime that is packed into
 * every plugin (`node_modules/@keel/plugin-sdk`): it depends on Node's standard library only.
 * The `keel-plugin` CLI lives in `cli/` and is built separately.
 */
export { definePlugin, type Plugin } from './plugin';
export {
  defineEndpoint,
  defineModelProvider,
  defineTool,
  defineToolProvider,
  type CredentialsContext,
  type Endpoint,
  type EndpointDefinition,
  type EndpointRequest,
  type EndpointResponse,
  type InvocationContext,
  type LlmInvocation,
  type LlmOutput,
  type LlmResult,
  type LlmStream,
  type Logger,
  type ModelProvider,
  type ModelProviderDefinition,
  type PluginDefinition,
  type PluginRegistry,
  type PluginStorage,
  type Tool,
  type ToolContext,
  type ToolDefinition,
  type ToolProvider,
  type ToolProviderDefinition,
  type ToolResult,
  type ToolStream,
} from './define';
export { messages, type ToolOutput } from './messages';
export {
  validateArguments,
  type ParameterDeclaration,
  type ParameterOption,
  type ParameterType,
  type ToolArguments,
} from './parameters';
export { BackwardsCallError, DefinitionError, ParameterError, PluginError } from './errors';
export { PluginRuntime, type RuntimeOptions } from './runtime';
export { SDK_VERSION } from './version';
export * from './protocol';
