// A list of a string union's members that the compiler checks in both directions: a name that is
// not a member is refused, and so is a list that leaves a member out. For the runtime lists that
// must match a type (error codes a page may meet, call names a sender may use).

/** Exactly the members of `Union`: `allOf<Union>()([...])`. */
export function allOf<Union extends string>() {
  return <const List extends readonly Union[]>(list: List & ([Union] extends [List[number]] ? unknown : never)): List =>
    list;
}
