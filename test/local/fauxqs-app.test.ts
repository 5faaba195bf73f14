import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CREDENTIALS, type LocalSqs, REGION, startLocalSqs } from "../support/local-aws.js";

/** The local fauxqs answers S3's conditional write as S3 does (fauxqs 1.9.2 alone overwrites). */
describe.each([false, true])("local fauxqs: PutObject with If-None-Match (own process: %s)", (ownProcess) => {
  let server: LocalSqs;
  let s3: S3Client;
  beforeAll(async () => {
    server = await startLocalSqs({ ownProcess });
    s3 = new S3Client({ endpoint: server.endpoint, region: REGION, credentials: CREDENTIALS, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: "conditional" }));
  });
  afterAll(async () => {
    s3.destroy();
    await server.stop();
  });
  const put = (Key: string, Body: string, IfNoneMatch?: string) =>
    s3.send(new PutObjectCommand({ Bucket: "conditional", Key, Body, ...(IfNoneMatch ? { IfNoneMatch } : {}) }));
  const read = async (Key: string) =>
    (await s3.send(new GetObjectCommand({ Bucket: "conditional", Key }))).Body?.transformToString();

  it("stores a new key, refuses an existing one with 412 PreconditionFailed and keeps the first body", async () => {
    for (const key of ["a.json", "deep/ly/nested/b.json", "spaces and ünïcode/c d.json"]) {
      await put(key, "first", "*");
      await expect(put(key, "second", "*")).rejects.toMatchObject({
        name: "PreconditionFailed",
        $metadata: { httpStatusCode: 412 },
      });
      expect(await read(key)).toBe("first");
    }
  });

  it("an unconditional put still overwrites, and a put with another If-None-Match value is 501 NotImplemented", async () => {
    await put("plain.json", "one");
    await put("plain.json", "two");
    expect(await read("plain.json")).toBe("two");
    await expect(put("etag.json", "x", '"abc"')).rejects.toMatchObject({ $metadata: { httpStatusCode: 501 } });
  });

  it("of concurrent conditional puts of one key, exactly one stores it; the others get 412 or 409 ConditionalRequestConflict", async () => {
    for (let round = 0; round < 5; round++) {
      const key = `race-${round}.json`;
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, index) => put(key, `writer-${index}`, "*")),
      );
      const stored = results.flatMap((result, index) => (result.status === "fulfilled" ? [index] : []));
      expect(stored).toHaveLength(1);
      for (const result of results) {
        if (result.status === "rejected") expect([409, 412]).toContain(result.reason.$metadata.httpStatusCode);
      }
      expect(await read(key)).toBe(`writer-${stored[0]}`);
    }
  });
});
