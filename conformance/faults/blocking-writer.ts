import type { WriteResult } from '../../harness/producer/episode-store.js';
import { ReferenceWriter, applyWrite, type WriteOp } from './local-writer.js';

/**
 * A deliberately weakened producer: its local write returns only once the export of that write
 * is acknowledged by the bus, so a bus outage blocks local writes. CT-6.local-writes must catch it.
 */
export class BlockingWriter extends ReferenceWriter {
  override async write(
    op: WriteOp,
    t: string,
    a: string,
    episodeId: string | undefined,
    i: number,
  ): Promise<WriteResult> {
    const result = applyWrite(this.producer, op, t, a, episodeId, i);
    // The weakness: the caller waits for the publish (as a synchronous "write-through" export would).
    while (this.producer.exporter.cursor < result.seq) await this.producer.exporter.waitIdle(50);
    return result;
  }
}
