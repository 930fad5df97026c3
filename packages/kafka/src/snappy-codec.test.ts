import t from 'tap';
import kafkajs from 'kafkajs';
import { compressSync } from 'snappy';
import { registerSnappyCodec, snappyCodec, snappyDecompress } from './snappy-codec.js';

const { CompressionCodecs, CompressionTypes } = kafkajs;
const text = Buffer.from(JSON.stringify({ type: 'view', event_id: 'e1', item_id: 'sku-1' }).repeat(50));

t.test('raw snappy round-trips and actually compresses', async (t) => {
  const codec = snappyCodec();
  const compressed = await codec.compress({ buffer: text });
  t.ok(
    compressed.length < text.length / 5,
    `repetitive JSON shrinks (${text.length} → ${compressed.length})`,
  );
  t.same(await codec.decompress(compressed), text);
});

t.test('xerial-framed batches (Java clients) are read block by block', async (t) => {
  const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
  const block = (data: Buffer) => {
    const compressed = compressSync(data);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(compressed.length);
    return Buffer.concat([length, compressed]);
  };
  const first = text.subarray(0, 700);
  const second = text.subarray(700);
  t.same(await snappyDecompress(Buffer.concat([header, block(first), block(second)])), text);
  const cut = Buffer.concat([header, block(first)]);
  await t.rejects(snappyDecompress(cut.subarray(0, cut.length - 3)), /truncated xerial snappy frame/);
  await t.rejects(snappyDecompress(Buffer.from('not snappy at all')), 'garbage is an error, not empty data');
});

t.test('registering makes kafkajs use it for snappy batches', (t) => {
  registerSnappyCodec();
  registerSnappyCodec();
  t.equal(CompressionCodecs[CompressionTypes.Snappy], snappyCodec, 'registered once, idempotently');
  t.end();
});
