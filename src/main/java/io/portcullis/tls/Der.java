package io.portcullis.tls;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Just enough DER to rewrap PKCS#1 and SEC1 private keys as PKCS#8, so the gateway needs no Bouncy Castle at run
 * time. Malformed input is an {@link IllegalArgumentException}; callers turn it into a message naming the file.
 */
final class Der {
    static final int INTEGER = 0x02;
    static final int OCTET_STRING = 0x04;
    static final int NULL = 0x05;
    static final int SEQUENCE = 0x30;
    static final int CONTEXT_0 = 0xA0;

    /** One tag-length-value; {@code encoded} is the whole TLV, {@code content} the value. */
    record Tlv(int tag, byte[] encoded, byte[] content) {
        List<Tlv> children() {
            List<Tlv> children = new ArrayList<>();
            int offset = 0;
            while (offset < content.length) {
                Tlv child = parse(content, offset);
                children.add(child);
                offset += child.encoded.length;
            }
            return children;
        }
    }

    private Der() {}

    /** Parses the TLV that starts at {@code offset}. */
    static Tlv parse(byte[] in, int offset) {
        if (offset + 2 > in.length) {
            throw new IllegalArgumentException("truncated DER at byte " + offset);
        }
        int tag = in[offset] & 0xFF;
        if ((tag & 0x1F) == 0x1F) {
            throw new IllegalArgumentException("multi-byte DER tags are not used in keys");
        }
        int first = in[offset + 1] & 0xFF;
        int header = 2;
        long length;
        if (first < 0x80) {
            length = first;
        } else {
            int octets = first & 0x7F;
            if (octets == 0 || octets > 4 || offset + 2 + octets > in.length) {
                throw new IllegalArgumentException("bad DER length at byte " + (offset + 1));
            }
            length = 0;
            for (int i = 0; i < octets; i++) {
                length = (length << 8) | (in[offset + 2 + i] & 0xFF);
            }
            header += octets;
        }
        long end = offset + header + length;
        if (end > in.length) {
            throw new IllegalArgumentException("DER value runs past the end at byte " + offset);
        }
        return new Tlv(tag, Arrays.copyOfRange(in, offset, (int) end),
                Arrays.copyOfRange(in, offset + header, (int) end));
    }

    /** Parses a buffer that must hold exactly one TLV. */
    static Tlv parseWhole(byte[] in) {
        Tlv tlv = parse(in, 0);
        if (tlv.encoded.length != in.length) {
            throw new IllegalArgumentException((in.length - tlv.encoded.length) + " trailing bytes after DER value");
        }
        return tlv;
    }

    static byte[] encode(int tag, byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            content.writeBytes(part);
        }
        int length = content.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream(length + 6);
        out.write(tag);
        if (length < 0x80) {
            out.write(length);
        } else {
            int octets = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | octets);
            for (int i = octets - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(content.toByteArray());
        return out.toByteArray();
    }
}
