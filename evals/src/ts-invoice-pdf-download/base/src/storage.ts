import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";

const s3 = new S3Client({});
const bucket = process.env.INVOICE_BUCKET ?? "billing-invoices";

/** The bytes of an object in the invoice bucket. */
export async function getObject(key: string): Promise<Uint8Array> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return out.Body!.transformToByteArray();
}
