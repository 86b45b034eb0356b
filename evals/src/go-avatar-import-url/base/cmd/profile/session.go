package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// verifySession checks a "<userID>.<hex HMAC-SHA256 of userID>" cookie value.
func verifySession(value string, key []byte) (int64, bool) {
	idPart, macPart, found := strings.Cut(value, ".")
	if !found || len(key) == 0 {
		return 0, false
	}
	got, err := hex.DecodeString(macPart)
	if err != nil {
		return 0, false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(idPart))
	if !hmac.Equal(got, mac.Sum(nil)) {
		return 0, false
	}
	id, err := strconv.ParseInt(idPart, 10, 64)
	return id, err == nil
}
