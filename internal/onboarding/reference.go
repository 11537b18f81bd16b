package onboarding

import (
	"strings"

	"github.com/julo-partnership/julo/internal/i18n"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/refdata"
)

// DropdownInput selects one reference list by name, and for the job list
// the job industry. Problems holds what the caller already found wrong with
// the request (a value of the wrong type).
type DropdownInput struct {
	Problems julo.Problems
	List     *string
	Industry *string
}

// Dropdown returns the reference list the input names: []string for most,
// []refdata.Bank for banks. It returns EINVALID naming the valid choices when
// the list or the job industry is missing or unknown.
func (s *Service) Dropdown(in DropdownInput) (any, error) {
	ps := in.Problems
	name, ok := required(&ps, "data_selected", in.List)
	if !ok {
		if !ps.Has("data_selected") || ps[len(ps)-1].Msg == i18n.Required {
			ps = julo.Problems{{Field: "data_selected", Msg: i18n.DropdownWhich, Args: []any{strings.Join(refdata.DropdownLists, ", ")}}}
		}
		return nil, ps.Err()
	}
	switch name {
	case refdata.DropdownBanks:
		return refdata.Banks(), nil
	case refdata.DropdownBirthPlaces:
		return s.area.BirthPlaces(), nil
	case refdata.DropdownJobs:
		ind, ok := required(&ps, "job_industry", in.Industry)
		if !ok {
			return nil, julo.Errorf(julo.EINVALID, "job_industry", i18n.DropdownNeedsIndust, strings.Join(refdata.JobIndustries.Values(), ", "))
		}
		jobs, ok := refdata.Jobs(ind)
		if !ok {
			return nil, julo.Errorf(julo.EINVALID, "job_industry", i18n.DropdownIndustry, ind, strings.Join(refdata.JobIndustries.Values(), ", "))
		}
		return jobs.Values(), nil
	}
	if l, ok := refdata.StringListByName(name); ok {
		return l.Values(), nil
	}
	return nil, julo.Errorf(julo.EINVALID, "data_selected", i18n.DropdownUnknown, name, strings.Join(refdata.DropdownLists, ", "))
}

// AddressInput asks for one level of the area hierarchy with its parents;
// Problems as in DropdownInput.
type AddressInput struct {
	Problems julo.Problems
	Level    *string
	Province *string
	City     *string
	District *string
}

// Address returns the names at the requested level ([]string), or for
// sub_district the villages with their postal codes ([]refdata.SubDistrict).
// Missing parents and names that match nothing are EINVALID naming the field.
func (s *Service) Address(in AddressInput) (any, error) {
	ps := in.Problems
	level, ok := required(&ps, "get_address", in.Level)
	if !ok {
		return nil, julo.Errorf(julo.EINVALID, "get_address", i18n.AddressWhich)
	}
	depth := map[string]int{"province": 0, "city": 1, "district": 2, "sub_district": 3}
	d, known := depth[strings.ToLower(level)]
	if !known {
		return nil, julo.Errorf(julo.EINVALID, "get_address", i18n.AddressUnknownLevel, level)
	}
	level = strings.ToLower(level)
	parents := []struct {
		field string
		v     *string
	}{{"province", in.Province}, {"city", in.City}, {"district", in.District}}
	names := make([]string, 3)
	for i := 0; i < d; i++ {
		f := parents[i]
		switch {
		case ps.Has(f.field): // already wrong (a type error)
		case f.v == nil || strings.TrimSpace(*f.v) == "":
			ps.Add(f.field, i18n.AddressNeeds, level)
		default:
			names[i] = strings.TrimSpace(*f.v)
		}
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	switch d {
	case 0:
		return s.area.Provinces(), nil
	case 1:
		if out, ok := s.area.Cities(names[0]); ok {
			return out, nil
		}
	case 2:
		if out, ok := s.area.Districts(names[0], names[1]); ok {
			return out, nil
		}
	case 3:
		if out, ok := s.area.SubDistricts(names[0], names[1], names[2]); ok {
			return out, nil
		}
	}
	return nil, s.addressMismatch(names[:d])
}

// addressMismatch finds the first parent level that does not match.
func (s *Service) addressMismatch(names []string) error {
	if _, ok := s.area.Cities(names[0]); !ok {
		return julo.Errorf(julo.EINVALID, "province", i18n.AddressNoProvince, names[0])
	}
	if _, ok := s.area.Districts(names[0], names[1]); !ok {
		return julo.Errorf(julo.EINVALID, "city", i18n.AddressNoCity, names[1])
	}
	return julo.Errorf(julo.EINVALID, "district", i18n.AddressNoDistrict, names[2])
}
