import { buildApp } from "fauxqs";

type FauxqsApp = ReturnType<typeof buildApp>;

/**
 * fauxqs (SQS, SNS and S3 on one endpoint) as the local servers run it: quiet, and with S3's
 * conditional write `If-None-Match: *` on PutObject, which fauxqs 1.9.2 ignores (it overwrites).
 * The archiver relies on it to store a redelivered dead letter once; without it a local run would
 * count each redelivery as a new dead letter, which AWS never does.
 */
export function buildFauxqsApp(): FauxqsApp {
  const app = buildApp({ logger: false });
  addConditionalPuts(app);
  return app;
}

const S3_ERRORS = {
  PreconditionFailed: [412, "At least one of the pre-conditions you specified did not hold"],
  ConditionalRequestConflict: [
    409,
    "A conflicting conditional operation is currently in progress against this resource.",
  ],
  NotImplemented: [501, "A header you provided implies functionality that is not implemented"],
} as const;

/**
 * As S3 answers a PutObject with `If-None-Match: *`: 412 when the key exists, 409 while another
 * conditional write of the same key is in progress, 501 for any other If-None-Match value (S3 takes
 * only `*` on writes). The check and the write happen while the key is held, so two concurrent puts
 * never both succeed.
 */
function addConditionalPuts(app: FauxqsApp): void {
  const writing = new Set<string>();
  app.addHook("preHandler", async (request, reply) => {
    const condition = request.headers["if-none-match"];
    if (request.method !== "PUT" || condition === undefined || request.headers["x-amz-copy-source"]) return;
    const { bucket, "*": key } = request.params as { bucket?: string; "*"?: string };
    if (!bucket || !key) return;
    const refuse = (code: keyof typeof S3_ERRORS) => {
      const [status, message] = S3_ERRORS[code];
      return reply
        .status(status)
        .header("content-type", "application/xml")
        .send(
          `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><Key>${escapeXml(key)}</Key></Error>`,
        );
    };
    if (condition !== "*") return refuse("NotImplemented");
    const id = `${bucket}/${key}`;
    if (writing.has(id)) return refuse("ConditionalRequestConflict");
    writing.add(id);
    // "close" comes after the response, and also when the client goes away first: the key is never left held.
    reply.raw.once("close", () => writing.delete(id));
    const existing = await app.inject({
      method: "HEAD",
      url: `/${encodeURIComponent(bucket)}/${key.split("/").map(encodeURIComponent).join("/")}`,
    });
    if (existing.statusCode === 200) return refuse("PreconditionFailed");
  });
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
