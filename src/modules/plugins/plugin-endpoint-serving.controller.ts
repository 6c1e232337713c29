import { All, Controller, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import getRawBody from 'raw-body';
import type { EndpointResponseData } from '@keel/plugin-sdk/protocol';
import { ApiException } from '../../common/errors/api.exception';
import { AppConfig } from '../../config/app-config';
import { PluginEndpointsService } from './plugin-endpoints.service';
import { PluginRuntimeService } from './plugin-runtime.service';
import { PluginCallError, PluginSessionError } from './runtime/plugin-call.errors';

/** Hop-by-hop and framing headers are the server's own, whatever the plugin answered. */
const DROPPED_RESPONSE_HEADERS = new Set(['connection', 'transfer-encoding', 'content-length', 'keep-alive']);
/** The plugin's own routing answers, as HTTP says them. */
const ROUTE_ERRORS: Record<string, number> = { EndpointNotFound: 404, MethodNotAllowed: 405 };
const notFound = () => new ApiException(404, 'not_found', 'No such endpoint.');

/**
 * `/e/<hook_id>/<path>`: an endpoint plugin's public routes. The request (method, path below the
 * hook, query, headers, body) goes to the plugin's process with the endpoint's settings; its one
 * answer is the response. A disabled or removed endpoint, or one whose plugin is gone, is a 404.
 */
@ApiExcludeController()
@Controller('e')
export class PluginEndpointServingController {
  constructor(
    private readonly config: AppConfig,
    private readonly endpoints: PluginEndpointsService,
    private readonly runtime: PluginRuntimeService,
  ) {}

  @All([':hookId', ':hookId/{*path}'])
  async serve(@Param('hookId') hookId: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const serving = await this.endpoints.serving(hookId);
    if (!serving) throw notFound();
    const body = await getRawBody(req, { limit: this.config.server.bodyLimitBytes }).catch((error: unknown) => {
      if ((error as { type?: string }).type === 'entity.too.large') {
        throw new ApiException(413, 'request_entity_too_large', 'The request body is too large.');
      }
      throw error instanceof Error ? error : new Error(String(error));
    });
    const url = new URL(req.originalUrl, 'http://keel.invalid');
    const prefix = `/e/${hookId}`;
    const path = url.pathname.slice(prefix.length) || '/';
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    let answer: EndpointResponseData | undefined;
    try {
      for await (const item of this.runtime.invoke(
        serving.plugin.version,
        {
          type: 'endpoint',
          action: 'invoke',
          method: req.method,
          path,
          query: url.search.slice(1),
          headers,
          ...(body.length > 0 && { body: body.toString('base64') }),
          settings: serving.settings,
        },
        { workspaceId: serving.endpoint.workspaceId },
      )) {
        answer ??= item as EndpointResponseData;
      }
    } catch (error) {
      if (error instanceof PluginSessionError && ROUTE_ERRORS[error.errorType]) {
        throw new ApiException(ROUTE_ERRORS[error.errorType], 'not_found', error.message, { cause: error });
      }
      if (error instanceof PluginCallError) {
        throw new ApiException(error.status === 400 ? 502 : error.status, error.code, error.message, { cause: error });
      }
      throw error;
    }
    if (!answer || !Number.isInteger(answer.status) || answer.status < 100 || answer.status > 599) {
      throw new ApiException(502, 'plugin_error', 'The endpoint plugin gave no valid response.');
    }
    for (const [name, value] of Object.entries(answer.headers ?? {})) {
      if (!DROPPED_RESPONSE_HEADERS.has(name.toLowerCase())) res.setHeader(name, String(value));
    }
    res.status(answer.status).end(Buffer.from(answer.body ?? '', 'base64'));
  }
}
