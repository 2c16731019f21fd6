package waterquality

import (
	"fmt"
	"testing"
	"unsafe"

	"github.com/envwatch/envwatch/reading"
)

// A stored sample decodes to the values encoded, with the below-detection and counting
// marks; codes and flags are shared between samples rather than kept per sample.
func TestDecodeValuesRoundTrip(t *testing.T) {
	vs := []reading.Value{{Code: "nh3n", V: dec(t, "0.8"), Flag: "N"}, {Code: "tp", V: dec(t, "0.01"), Flag: "L"}, {Code: "cod", V: dec(t, "15"), Flag: "M", Counts: true}}
	in := Interner{}
	a, err := DecodeValues(EncodeValues(vs), in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := DecodeValues(EncodeValues(vs), in)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(a) != fmt.Sprint(vs) || cap(a) != len(vs) {
		t.Errorf("decoded %v (cap %d), want %v", a, cap(a), vs)
	}
	if unsafe.StringData(a[0].Code) != unsafe.StringData(b[0].Code) || unsafe.StringData(a[1].Flag) != unsafe.StringData(b[1].Flag) {
		t.Error("codes and flags of two samples are separate strings")
	}
	if _, err := DecodeValues([]byte("nh3n=0.8"), in); err == nil {
		t.Error("a value without its flag decoded")
	}
}
