/* vireo-png-check.c: is this a valid PNG with something on it?
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: vireo-png-check FILE.png
 * Prints "WIDTHxHEIGHT N" and exits 0 when the file is a PNG with N > 0
 * pixels unlike its top-left one (not a blank screen); exits 1 otherwise.
 * Uses GIO's zlib decompressor, no image library.
 */
#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static guint32
be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

/* The IDAT chunks' bytes, and the image size from IHDR. */
static GByteArray *
read_chunks (const guint8 *data,
             gsize         len,
             guint32      *width,
             guint32      *height)
{
  GByteArray *idat = g_byte_array_new ();
  gsize pos = 8;

  while (pos + 12 <= len)
    {
      guint32 chunk = be32 (data + pos);
      const guint8 *type = data + pos + 4;

      if (pos + 12 + chunk > len)
        break;
      if (memcmp (type, "IHDR", 4) == 0)
        {
          *width = be32 (data + pos + 8);
          *height = be32 (data + pos + 12);
        }
      else if (memcmp (type, "IDAT", 4) == 0)
        g_byte_array_append (idat, data + pos + 8, chunk);
      pos += 12 + chunk;
    }
  return idat;
}

static GByteArray *
inflate (GByteArray  *idat,
         GError     **error)
{
  g_autoptr(GConverter) zlib = G_CONVERTER (g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB));
  g_autoptr(GByteArray) raw = g_byte_array_new ();
  gsize in_pos = 0;
  GConverterResult res;
  guint8 out[65536];

  do
    {
      gsize read = 0, written = 0;

      res = g_converter_convert (zlib, idat->data + in_pos, idat->len - in_pos,
                                 out, sizeof out, G_CONVERTER_INPUT_AT_END,
                                 &read, &written, error);
      if (res == G_CONVERTER_ERROR)
        return NULL;
      in_pos += read;
      g_byte_array_append (raw, out, written);
    }
  while (res != G_CONVERTER_FINISHED);
  return g_steal_pointer (&raw);
}

/* 8-bit RGB, as QEMU writes: undo the per-row filters in place. */
static void
unfilter (GByteArray *raw,
          guint32     stride,
          guint32     height)
{
  for (guint32 y = 0; y < height; y++)
    {
      guint8 *row = raw->data + (gsize) y * (stride + 1);
      guint8 filter = row[0];
      guint8 *cur = row + 1;
      guint8 *prev = y > 0 ? raw->data + (gsize) (y - 1) * (stride + 1) + 1 : NULL;

      for (guint32 x = 0; x < stride; x++)
        {
          int a = x >= 3 ? cur[x - 3] : 0;
          int b = prev ? prev[x] : 0;
          int c = prev && x >= 3 ? prev[x - 3] : 0;
          int p = a + b - c, pa = abs (p - a), pb = abs (p - b), pc = abs (p - c);

          switch (filter)
            {
            case 1: cur[x] += a; break;
            case 2: cur[x] += b; break;
            case 3: cur[x] += (a + b) / 2; break;
            case 4: cur[x] += (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c); break;
            default: break;
            }
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  g_autofree guint8 *data = NULL;
  g_autoptr(GByteArray) idat = NULL;
  g_autoptr(GByteArray) raw = NULL;
  g_autoptr(GError) error = NULL;
  guint32 width = 0, height = 0, stride, distinct = 0;
  gsize len;

  if (argc != 2 || !g_file_get_contents (argv[1], (char **) &data, &len, &error))
    {
      fprintf (stderr, "usage: vireo-png-check FILE.png%s%s\n", error ? ": " : "", error ? error->message : "");
      return 2;
    }
  if (len < 33 || memcmp (data, signature, 8) != 0)
    {
      fprintf (stderr, "%s: not a PNG\n", argv[1]);
      return 1;
    }
  idat = read_chunks (data, len, &width, &height);
  raw = inflate (idat, &error);
  if (raw == NULL)
    {
      fprintf (stderr, "%s: corrupt image data: %s\n", argv[1], error->message);
      return 1;
    }
  stride = width * 3;
  if (raw->len < (gsize) (stride + 1) * height)
    {
      fprintf (stderr, "%s: truncated image data\n", argv[1]);
      return 1;
    }
  unfilter (raw, stride, height);
  /* distinct: pixels unlike the top-left one (the background) */
  for (guint32 y = 0; y < height; y++)
    for (guint32 x = 0; x < width; x++)
      if (memcmp (raw->data + (gsize) y * (stride + 1) + 1 + x * 3, raw->data + 1, 3) != 0)
        distinct++;
  printf ("%ux%u %u\n", width, height, distinct);
  return width > 0 && height > 0 && distinct > 0 ? 0 : 1;
}
