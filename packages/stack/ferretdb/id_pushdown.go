package sqlite

import (
	"fmt"
	"strings"

	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// idWhereClause narrows a query to the filter's _id, a value or {$in: values}, whatever else the
// filter holds: the handler applies the whole filter to the documents the query returns.
func idWhereClause(filter *types.Document) (string, []any) {
	if filter == nil || !filter.Has("_id") {
		return "", nil
	}

	switch v := must.NotFail(filter.Get("_id")).(type) {
	case string, types.ObjectID:
		return fmt.Sprintf(` WHERE %s = ?`, metadata.IDColumn), []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}
	case *types.Document:
		if v.Len() != 1 || !v.Has("$in") {
			return "", nil
		}

		values, ok := must.NotFail(v.Get("$in")).(*types.Array)
		if !ok || values.Len() == 0 {
			return "", nil
		}

		args := make([]any, 0, values.Len())

		for i := 0; i < values.Len(); i++ {
			switch item := must.NotFail(values.Get(i)).(type) {
			case string, types.ObjectID:
				args = append(args, string(must.NotFail(sjson.MarshalSingleValue(item))))
			default:
				return "", nil
			}
		}

		placeholders := strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")

		return fmt.Sprintf(` WHERE %s IN (%s)`, metadata.IDColumn, placeholders), args
	}

	return "", nil
}
