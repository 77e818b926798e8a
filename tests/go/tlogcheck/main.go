// SPDX-License-Identifier: Apache-2.0
//
// tlogcheck — an independent verifier of Remnant's log as served per C2SP
// tlog-tiles, built on Go's own golang.org/x/mod/sumdb/tlog and sumdb/note
// (Debian's golang-golang-x-mod-dev), not on Remnant's code. Driven by
// tests/e2e/tlog_go.sh against a real `remnant serve`.
//
//	tlogcheck -url http://HOST:PORT/log -vkey VKEY [-old CHECKPOINT_FILE]
//	          [-proof TLOG_PROOF_FILE] [-save CHECKPOINT_FILE] [-selftest]
//
// It fetches the checkpoint and checks the log's signature (our verifier
// key as a note.Verifier), reads every hash it needs through
// tlog.TileHashReader (which checks each tile against the signed tree
// hash), proves and checks inclusion of entries (ProveRecord/CheckRecord)
// and consistency with an older checkpoint (ProveTree/CheckTree), checks
// each item of the entry bundles against its leaf hash, and checks a C2SP
// tlog-proof file. With -selftest it also tampers with what it fetched (a
// tile byte, the checkpoint's root, a proof hash, an entry) and requires
// every tampered copy to be rejected. Output: one "ok - ..." or
// "not ok - ..." line per check; exit status 1 if any check failed.
package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

var failed = 0

func check(ok bool, what string, err error) {
	if ok {
		fmt.Println("ok -", what)
		return
	}
	failed++
	if err != nil {
		fmt.Printf("not ok - %s: %v\n", what, err)
	} else {
		fmt.Println("not ok -", what)
	}
}

func fetch(url string) ([]byte, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return b, nil
}

// A checkpoint: origin, size, root hash (c2sp.org/tlog-checkpoint).
type checkpoint struct {
	origin string
	tree   tlog.Tree
}

// openCheckpoint verifies the note with the log's key and parses its text.
func openCheckpoint(msg []byte, v note.Verifier) (checkpoint, error) {
	var c checkpoint
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return c, err
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		return c, errors.New("malformed checkpoint body")
	}
	c.origin = lines[0]
	if c.origin != v.Name() {
		return c, fmt.Errorf("origin %q is not the key's name %q", c.origin, v.Name())
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return c, fmt.Errorf("bad tree size %q", lines[1])
	}
	h, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(h) != tlog.HashSize {
		return c, fmt.Errorf("bad root hash %q", lines[2])
	}
	c.tree.N = size
	copy(c.tree.Hash[:], h)
	return c, nil
}

// tilePath: Go's Tile.Path() is "tile/H/L/N[.p/W]" (the sumdb form with the
// height); c2sp.org/tlog-tiles drops the height, which is always 8.
func tilePath(t tlog.Tile) string {
	return strings.TrimPrefix(t.Path(), "tile/8/")
}

// fetcher is a tlog.TileReader over HTTP; tamper, when set, changes the
// data of the first tile it returns.
type fetcher struct {
	base   string
	tamper bool
	count  int
}

func (f *fetcher) Height() int { return 8 }

func (f *fetcher) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		b, err := fetch(f.base + "/tile/" + tilePath(t))
		if err != nil {
			return nil, err
		}
		if f.tamper && f.count == 0 && len(b) > 0 {
			b = append([]byte(nil), b...)
			b[len(b)/2] ^= 1
		}
		f.count++
		out[i] = b
	}
	return out, nil
}

func (f *fetcher) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

// leafHash reads the stored leaf hash of entry i through the verified reader.
func leafHash(r tlog.HashReader, i int64) (tlog.Hash, error) {
	h, err := r.ReadHashes([]int64{tlog.StoredHashIndex(0, i)})
	if err != nil {
		return tlog.Hash{}, err
	}
	return h[0], nil
}

// bundleItems splits an entry bundle into its uint16 length-prefixed items.
func bundleItems(b []byte) ([][]byte, error) {
	var items [][]byte
	for len(b) > 0 {
		if len(b) < 2 {
			return nil, errors.New("truncated length")
		}
		n := int(b[0])<<8 | int(b[1])
		if len(b) < 2+n {
			return nil, errors.New("truncated item")
		}
		items = append(items, b[2:2+n])
		b = b[2+n:]
	}
	return items, nil
}

// itemHash: the leaf hash an item of Remnant's public entry bundle stands
// for (docs/LEDGER.md): 32 bytes is the leaf hash itself; otherwise the
// entry's bytes up to the first newline (disclosures follow it).
func itemHash(item []byte) (tlog.Hash, bool) {
	if len(item) == tlog.HashSize {
		var h tlog.Hash
		copy(h[:], item)
		return h, false
	}
	if i := bytes.IndexByte(item, '\n'); i >= 0 {
		item = item[:i]
	}
	return tlog.RecordHash(item), true
}

// checkBundles checks every entry bundle of the tree against the leaves.
func checkBundles(base string, r tlog.HashReader, n int64, tamper bool) (int, error) {
	shown := 0
	for start := int64(0); start < n; start += 256 {
		w := n - start
		path := fmt.Sprintf("%s/tile/entries/%s", base, tilePath(tlog.Tile{H: 8, L: 0, N: start / 256, W: 256})[2:])
		if w < 256 {
			path = fmt.Sprintf("%s/tile/entries/%s", base, tilePath(tlog.Tile{H: 8, L: 0, N: start / 256, W: int(w)})[2:])
		} else {
			w = 256
		}
		b, err := fetch(path)
		if err != nil {
			return shown, err
		}
		items, err := bundleItems(b)
		if err != nil {
			return shown, err
		}
		if int64(len(items)) != w {
			return shown, fmt.Errorf("%s: %d items, want %d", path, len(items), w)
		}
		for k, item := range items {
			if tamper && k == 0 && start == 0 {
				item = append([]byte(nil), item...)
				end := bytes.IndexByte(item, '\n')
				if end < 0 {
					end = len(item)
				}
				item[end/2] ^= 1
			}
			want, err := leafHash(r, start+int64(k))
			if err != nil {
				return shown, err
			}
			got, isEntry := itemHash(item)
			if got != want {
				return shown, fmt.Errorf("entry %d does not hash to its leaf", start+int64(k))
			}
			if isEntry {
				shown++
				if err := checkDisclosures(item); err != nil {
					return shown, fmt.Errorf("entry %d: %v", start+int64(k), err)
				}
			}
		}
	}
	return shown, nil
}

// checkDisclosures: each disclosure after the entry's bytes hashes (SHA-256,
// hex) to one of the entry's "digests" (format 2, docs/LEDGER.md).
func checkDisclosures(item []byte) error {
	parts := bytes.Split(item, []byte("\n"))
	var e struct {
		Digests []string `json:"digests"`
	}
	if err := json.Unmarshal(parts[0], &e); err != nil {
		return err
	}
	have := map[string]bool{}
	for _, d := range e.Digests {
		have[d] = true
	}
	for _, d := range parts[1:] {
		sum := sha256.Sum256(d)
		if !have[hex.EncodeToString(sum[:])] {
			return fmt.Errorf("disclosure %.40q matches no digest of the entry", d)
		}
		var arr []json.RawMessage
		if err := json.Unmarshal(d, &arr); err != nil || len(arr) != 3 {
			return fmt.Errorf("disclosure %.40q is not [salt, name, value]", d)
		}
	}
	return nil
}

// A C2SP tlog-proof (c2sp.org/tlog-proof@v1).
func checkProofFile(data []byte, v note.Verifier, tamper bool) error {
	text := string(data)
	sep := strings.Index(text, "\n\n")
	if sep < 0 {
		return errors.New("no blank line before the checkpoint")
	}
	head := strings.Split(text[:sep], "\n")
	if len(head) < 2 || head[0] != "c2sp.org/tlog-proof@v1" {
		return errors.New("not a c2sp.org/tlog-proof@v1")
	}
	k := 1
	var extra []byte
	if strings.HasPrefix(head[k], "extra ") {
		var err error
		if extra, err = base64.StdEncoding.DecodeString(head[k][6:]); err != nil {
			return err
		}
		k++
	}
	if k >= len(head) || !strings.HasPrefix(head[k], "index ") {
		return errors.New("no index line")
	}
	index, err := strconv.ParseInt(head[k][6:], 10, 64)
	if err != nil {
		return err
	}
	var proof tlog.RecordProof
	for _, line := range head[k+1:] {
		h, err := base64.StdEncoding.DecodeString(line)
		if err != nil || len(h) != tlog.HashSize {
			return fmt.Errorf("bad proof hash %q", line)
		}
		var hh tlog.Hash
		copy(hh[:], h)
		proof = append(proof, hh)
	}
	if tamper && len(proof) > 0 {
		proof[len(proof)-1][0] ^= 1
	}
	c, err := openCheckpoint([]byte(text[sep+2:]), v)
	if err != nil {
		return err
	}
	if extra == nil {
		return errors.New("no extra line: the entry's bytes are needed for its leaf hash")
	}
	return tlog.CheckRecord(proof, c.tree.N, c.tree.Hash, index, tlog.RecordHash(extra))
}

func main() {
	url := flag.String("url", "", "the log's prefix, e.g. http://127.0.0.1:8080/log")
	vkey := flag.String("vkey", "", "the log's verifier key (name+hash+base64)")
	old := flag.String("old", "", "a checkpoint saved earlier: check consistency with it")
	save := flag.String("save", "", "save the fetched checkpoint to this file")
	proofFile := flag.String("proof", "", "a C2SP tlog-proof file to check")
	selftest := flag.Bool("selftest", false, "also require tampered copies to be rejected")
	flag.Parse()
	if *url == "" || *vkey == "" {
		fmt.Fprintln(os.Stderr, "usage: tlogcheck -url URL -vkey VKEY [-old FILE] [-save FILE] [-proof FILE] [-selftest]")
		os.Exit(2)
	}
	v, err := note.NewVerifier(*vkey)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tlogcheck: bad verifier key:", err)
		os.Exit(2)
	}
	msg, err := fetch(*url + "/checkpoint")
	check(err == nil, "fetch the checkpoint", err)
	if err != nil {
		os.Exit(1)
	}
	c, err := openCheckpoint(msg, v)
	check(err == nil, "the checkpoint's signature verifies with the log's key (sumdb/note)", err)
	if err != nil {
		os.Exit(1)
	}
	fmt.Printf("# tree of %d entries\n", c.tree.N)
	if *save != "" {
		if err := os.WriteFile(*save, msg, 0644); err != nil {
			check(false, "save the checkpoint", err)
		}
	}
	f := &fetcher{base: *url}
	r := tlog.TileHashReader(c.tree, f)
	th, err := tlog.TreeHash(c.tree.N, r)
	check(err == nil && th == c.tree.Hash, "the tiles give the checkpoint's root (TileHashReader, TreeHash)", err)

	// Inclusion of a spread of entries.
	n := c.tree.N
	okAll := true
	var firstErr error
	for _, i := range []int64{0, 1, n / 3, n / 2, n - 2, n - 1} {
		if i < 0 || i >= n {
			continue
		}
		p, err := tlog.ProveRecord(n, i, r)
		if err == nil {
			var lh tlog.Hash
			if lh, err = leafHash(r, i); err == nil {
				err = tlog.CheckRecord(p, n, c.tree.Hash, i, lh)
			}
		}
		if err != nil {
			okAll = false
			if firstErr == nil {
				firstErr = fmt.Errorf("entry %d: %v", i, err)
			}
		}
	}
	check(okAll, "inclusion proofs from the tiles verify (ProveRecord, CheckRecord)", firstErr)

	shown, err := checkBundles(*url, r, n, false)
	check(err == nil, fmt.Sprintf("every entry bundle item hashes to its leaf (%d entries shown, the rest leaf hashes)", shown), err)
	fmt.Printf("# public entries: %d\n", shown)

	if *old != "" {
		om, err := os.ReadFile(*old)
		var oc checkpoint
		if err == nil {
			oc, err = openCheckpoint(om, v)
		}
		check(err == nil, "the older checkpoint verifies", err)
		if err == nil {
			tp, err := tlog.ProveTree(n, oc.tree.N, r)
			if err == nil {
				err = tlog.CheckTree(tp, n, c.tree.Hash, oc.tree.N, oc.tree.Hash)
			}
			check(err == nil, fmt.Sprintf("the tree of %d extends the tree of %d (ProveTree, CheckTree)", n, oc.tree.N), err)
			if *selftest && err == nil && oc.tree.N > 0 && oc.tree.N < n {
				bad := oc.tree.Hash
				bad[0] ^= 1
				err = tlog.CheckTree(tp, n, c.tree.Hash, oc.tree.N, bad)
				check(err != nil, "a consistency proof against a changed old root is rejected", nil)
			}
		}
	}
	if *proofFile != "" {
		data, err := os.ReadFile(*proofFile)
		if err == nil {
			err = checkProofFile(data, v, false)
		}
		check(err == nil, "the tlog-proof file verifies (CheckRecord)", err)
		if *selftest && err == nil {
			check(checkProofFile(data, v, true) != nil, "a tlog-proof with a changed hash is rejected", nil)
			bad := bytes.Replace(data, []byte("\nindex "), []byte("\nindex 1"), 1)
			check(checkProofFile(bad, v, false) != nil, "a tlog-proof with a changed index is rejected", nil)
		}
	}
	if *selftest {
		// A changed checkpoint root: the signature no longer verifies.
		lines := bytes.SplitN(msg, []byte("\n"), 4)
		if len(lines) == 4 {
			root := []byte(string(lines[2]))
			if root[0] == 'A' {
				root[0] = 'B'
			} else {
				root[0] = 'A'
			}
			bad := bytes.Join([][]byte{lines[0], lines[1], root, lines[3]}, []byte("\n"))
			_, err := openCheckpoint(bad, v)
			check(err != nil, "a checkpoint with a changed root is rejected (signature)", nil)
		}
		// A changed tile: TileHashReader refuses it.
		tr := tlog.TileHashReader(c.tree, &fetcher{base: *url, tamper: true})
		_, err := tlog.TreeHash(n, tr)
		if err == nil && n > 1 {
			_, err = tlog.ProveRecord(n, 0, tr)
		}
		check(err != nil, "a tile with one changed byte is rejected (TileHashReader)", nil)
		// A changed entry: it no longer hashes to its leaf.
		_, err = checkBundles(*url, r, n, true)
		check(err != nil, "an entry bundle with a changed entry is rejected", nil)
		check(checkDisclosures([]byte("{\"digests\":[\"00\"]}\n[\"00\",\"name\",\"forged\"]")) != nil,
			"a disclosure that matches no digest is rejected", nil)
		// A wrong key: nothing verifies.
		_, other, gerr := note.GenerateKey(rand.Reader, v.Name())
		ov, verr := note.NewVerifier(other)
		if gerr != nil || verr != nil {
			check(false, "make another key", fmt.Errorf("%v %v", gerr, verr))
		} else {
			_, err = openCheckpoint(msg, ov)
			check(err != nil, "the checkpoint does not verify with another key of the same name", nil)
		}
	}
	if failed > 0 {
		fmt.Printf("# %d checks failed\n", failed)
		os.Exit(1)
	}
}
