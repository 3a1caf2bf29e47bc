/**
 * A tiny local HTTP server in front of a Lambda handler, translating each request into the event
 * API Gateway HTTP APIs send (payload format version 2.0) and the handler's structured result back
 * into an HTTP response, so a real browser can use the containment endpoint on localhost.
 *
 * Source: API Gateway developer guide, "Create AWS Lambda proxy integrations for HTTP APIs"
 * (payload format version 2.0: rawPath, rawQueryString, lower-cased headers, requestContext.http
 * with method, path, protocol, sourceIp and userAgent; body as text or base64).
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";

export type HttpLambda = (
  event: APIGatewayProxyEventV2,
) => Promise<APIGatewayProxyStructuredResultV2>;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The payload-2.0 event for one request. */
export function toEvent(req: IncomingMessage, body: Buffer): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? "/", "http://localhost");
  const q = (req.url ?? "").indexOf("?");
  const rawQueryString = q === -1 ? "" : (req.url ?? "").slice(q + 1);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(",") : v;
  const method = req.method ?? "GET";
  const now = Date.now();
  const text = body.toString("utf8");
  const isText = Buffer.from(text, "utf8").equals(body);
  return {
    version: "2.0",
    routeKey: `${method} ${url.pathname}`,
    rawPath: url.pathname,
    rawQueryString,
    headers,
    queryStringParameters: rawQueryString ? Object.fromEntries(url.searchParams) : undefined,
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName: headers.host ?? "localhost",
      domainPrefix: "local",
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? "",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: `local-${now}`,
      routeKey: `${method} ${url.pathname}`,
      stage: "$default",
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    body: body.length === 0 ? undefined : isText ? text : body.toString("base64"),
    isBase64Encoded: body.length > 0 && !isText,
  };
}

/** Serves `handler` on 127.0.0.1 at a free port; returns the server and its base URL. */
export async function serveLambda(handler: HttpLambda): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    readBody(req)
      .then((body) => handler(toEvent(req, body)))
      .then((r) => {
        res.writeHead(r.statusCode ?? 200, r.headers as Record<string, string>);
        res.end(r.isBase64Encoded ? Buffer.from(r.body ?? "", "base64") : (r.body ?? ""));
      })
      .catch((e: Error) => {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(`adapter: ${e.message}`);
      });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}
