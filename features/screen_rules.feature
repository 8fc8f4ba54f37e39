Feature: Rules every screen follows
  Whatever I am doing on the line, the keys work the same way: 0 takes me back, 00 takes me
  home, 98 shows more of a long list. A mistake shows me the same screen with the reason, and
  only my third mistake in a row ends the call. My PIN is safe from guessing. When my call
  drops I can pick up where I was, and a network that sends my answer twice never makes me
  pay or register twice.

  # -- 0 goes back one screen ---------------------------------------------------------------

  Scenario Outline: 0 takes me back one screen from deep inside a journey
    Given I am a verified customer "Ama Mensah"
    When I dial the service
    And I enter <answers>
    Then I see "<here>"
    When I enter "0"
    Then I see "<before>"
    And I do not see "<here>"
    And the session continues

    Examples:
      | answers            | here                  | before                  |
      | "1", "1", "2"      | Total GHS 234.00      | Choose a cylinder       |
      | "1", "1", "2", "1" | Pay GHS 234.00 with:  | Total GHS 234.00        |
      | "1", "2", "50"     | Top up GHS 50.00      | enter amount in GHS     |
      | "4", "1"           | Call back about:      | Request a call back     |
      | "5", "2"           | Refill 6kg steel      | Refill gas:             |
      | "6", "2", "Tema"   | GhanaPost GPS address | Enter your town or city |
      | "6", "1"           | current PIN           | Change address          |

  Scenario: 0 takes me back step by step to the main menu, and my next choice counts there
    Given I am a verified customer "Ama Mensah"
    When I dial the service
    And I enter "1", "1", "2", "0", "0"
    Then I see "2. Top up wallet"
    When I enter "0"
    Then the screen starts with "Hi Ama"
    When I enter "4"
    Then I see "Report a gas leak"

  Scenario: 0 takes me back during registration, and I can carry on from there
    Given I am not registered
    When I dial the service
    And I enter "1", "Ama", "Mensah", "Accra"
    Then I see "GhanaPost GPS address"
    When I enter "0"
    Then I see "Enter your town or city"
    When I enter "Tema", "9", "4826", "4826"
    Then I see "Ama Mensah, Tema, no GPS address"

  # -- 00 goes home ---------------------------------------------------------------------------

  Scenario Outline: 00 takes a verified customer to the main menu from anywhere
    Given I am a verified customer "Ama Mensah"
    When I dial the service
    And I enter <answers>
    Then I see "<deep>"
    When I enter "00"
    Then the screen starts with "Hi Ama"
    And I see "6. My account"
    When I enter "2"
    Then I see "You have no orders yet."

    Examples:
      | answers            | deep                   |
      | "1", "1", "3", "1" | 5. Pay on delivery     |
      | "1", "2", "abc"    | Enter whole cedis      |
      | "3"                | Enter your PIN         |
      | "4", "1"           | 7. Other               |
      | "6", "2", "Tema"   | GhanaPost GPS address  |
      | "6", "1", "4826"   | Enter your new 4-digit |

  Scenario Outline: 00 takes a caller who is not registered back to the welcome screen
    Given I am not registered
    When I dial the service
    And I enter <answers>
    Then I see "<deep>"
    When I enter "00"
    Then the screen starts with "Welcome to Demo Gas"
    And I see "1. Register"
    When I enter "2"
    Then I see "Report a gas leak"

    Examples:
      | answers                                    | deep                  |
      | "1", "Ama", "Mensah", "Accra"              | GhanaPost GPS address |
      | "1", "Ama", "Mensah", "Accra", "9", "4826" | Enter the same PIN    |
      | "2", "1"                                   | Call back about:      |

  # -- 98 shows more, 0 shows the page before --------------------------------------------------

  Scenario: my orders page with 98 and 0, and an order on a later page can be chosen
    Given I am a verified customer "Ama Mensah"
    And I have placed 8 orders paid on delivery
    When I dial the service
    And I enter "2"
    Then I see "Your orders:"
    And I see "1. NG-"
    And I see "98. More"
    And I do not see "0. Back"
    When I enter "98"
    Then I do not see "1. NG-"
    And I see "98. More"
    And I see "0. Back"
    When I enter "98"
    Then I see "8. NG-"
    And I see "0. Back"
    And I do not see "98. More"
    When I enter "0"
    Then I see "98. More"
    And I do not see "8. NG-"
    When I enter "0"
    Then I see "1. NG-"
    When I enter "98", "5"
    Then I see the reference of my 5th newest order
    And I see "Pay on delivery"
    And I see "1. Cancel order"

  Scenario: the catalogue pages on a gateway that allows fewer characters
    Given the gateway allows 100 characters a screen
    And I am a verified customer "Ama Mensah"
    When I dial the service
    And I enter "1", "1"
    Then I see "Choose a cylinder:"
    And I see "98. More"
    And I do not see "12kg composite"
    When I enter "98"
    Then I see "12kg composite"
    And I see "0. Back"
    When I enter "5"
    Then I see "Total GHS 618.00"
    When I enter "1"
    Then I see "1. MTN MoMo (yours)"
    When I enter "98"
    Then I see "5. Pay on delivery"
    When I enter "5"
    Then the session ends with "placed"

  Scenario: 0 on the first page of a long list goes back one screen
    Given the gateway allows 100 characters a screen
    And I am a verified customer "Ama Mensah"
    When I dial the service
    And I enter "1", "1", "98", "0"
    Then I see "Choose a cylinder:"
    When I enter "0"
    Then I see "2. Top up wallet"

  # -- a wrong choice or entry shows the same screen with a reason ------------------------

  Scenario Outline: a wrong choice or entry shows the same screen again with the reason on top
    Given I am not registered
    When I dial the service
    And I enter <answers>
    And I enter "<wrong>"
    Then I see "<reason>" above the same screen as before
    And the session continues

    Examples:
      | answers                            | wrong                           | reason                                          |
      | "1"                                | Abcdefghijklmnopqrstuvwxyzabcde | Use 2 to 30 letters.                            |
      | "1"                                | Ama2                            | Use letters only.                               |
      | "1", "Ama", "Mensah"               | Accra!                          | Use letters only.                               |
      | "1", "Ama", "Mensah", "Accra"      | GA-12                           | That is not a GPS address. Example: GA-183-8164 |
      | "1", "Ama", "Mensah", "Accra", "9" | 1234                            | That PIN is too easy to guess. Choose another.  |
      | "1", "Ama", "Mensah", "Accra", "9" | 12a4                            | The PIN must be 4 digits.                       |
      | "2"                                | 7                               | Choose a number shown.                |

  Scenario Outline: a verified customer's wrong entries are explained the same way
    Given I am a verified customer "Ama Mensah"
    When I dial the service
    And I enter <answers>
    And I enter "<wrong>"
    Then I see "<reason>" above the same screen as before
    And the session continues

    Examples:
      | answers  | wrong | reason                             |
      | "1"      | 3     | Choose a number shown.   |
      | "1", "2" | abc   | Enter whole cedis, e.g. 50.        |
      | "1", "2" | 6000  | Enter between GHS 1 and GHS 5,000. |
      | "1", "2" | 0.5   | Enter whole cedis, e.g. 50.        |
      | "3"      | 12    | The PIN must be 4 digits.          |
      | "3"      | 1111  | Wrong PIN. Tries left: 2.          |

  Scenario: the two PIN entries must match, else I choose the PIN again
    Given I am not registered
    When I dial the service
    And I enter "1", "Ama", "Mensah", "Accra", "9", "4826", "4827"
    Then the screen starts with "The two PINs were not the same."
    And I see "Choose a 4-digit PIN"
    When I enter "4826", "4826"
    Then I see "Ama Mensah, Accra, no GPS address"

  # -- only the third wrong entry in a row ends the session --------------------------------

  Scenario: my third wrong entry in a row on one screen ends the session politely
    Given I am not registered
    When I dial the service
    And I enter "7", "8"
    Then the session continues
    And the screen starts with "Choose a number shown."
    When I enter "9"
    Then the session ends with "Too many wrong entries. Please dial again when ready."

  Scenario: a right answer in between starts the count again
    Given I am a verified customer "Ama Mensah"
    When I dial the service
    And I enter "1", "2", "abc", "0.5", "50"
    Then I see "Top up GHS 50.00"
    When I enter "0", "x", "6000"
    Then the session continues
    And I see "Enter between GHS 1 and GHS 5,000."
    When I enter "y"
    Then the session ends with "Too many wrong entries"

  Scenario: wrong entries on different screens do not add up
    Given I am not registered
    When I dial the service
    And I enter "7", "8", "1", "A", "B", "Ama", "M", "3"
    Then the session continues
    When I enter "Mensah"
    Then I see "Enter your town or city"

  # -- three wrong PINs lock PIN actions for 30 minutes ------------------------------------

  Scenario: three wrong PINs in a row lock PIN actions, and I am told by screen and SMS
    Given I am a verified customer "Kofi Boateng" with PIN "4826"
    When I dial the service
    And I enter "3", "1111"
    Then I see "Wrong PIN. Tries left: 2."
    When I enter "2222"
    Then I see "Wrong PIN. Tries left: 1."
    When I enter "3333"
    Then the session ends with "Your PIN is locked for 30 minutes"
    And I see "0302 000 000"
    And I receive an SMS containing "your PIN was locked after 3 wrong tries"
    When I dial again
    And I enter "3", "4826"
    Then the session ends with "Your PIN is locked"
    When I dial again
    And I enter "6", "1", "4826"
    Then the session ends with "Your PIN is locked"

  Scenario: wrong PINs in different calls count together until a right one
    Given I am a verified customer "Kofi Boateng" with PIN "4826"
    When I dial the service
    And I enter "3", "1111", "4826"
    Then the session ends with "Wallet: GHS 0.00"
    When I dial again
    And I enter "3", "1111", "2222"
    Then I see "Wrong PIN. Tries left: 1."
    When my session drops
    And I dial again
    And I enter "6", "1", "3333"
    Then the session ends with "Your PIN is locked for 30 minutes"

  Scenario: the lock ends after 30 minutes
    Given I am a verified customer "Kofi Boateng" with PIN "4826"
    And my PIN is locked after three wrong tries
    When 29 minutes pass
    And I dial the service
    And I enter "3", "4826"
    Then the session ends with "Your PIN is locked"
    When 2 minutes pass
    And I dial again
    And I enter "3", "4826"
    Then the session ends with "Wallet: GHS 0.00"

  Scenario: staff unlock my PIN sooner
    Given I am a verified customer "Kofi Boateng" with PIN "4826"
    And my PIN is locked after three wrong tries
    When staff unlock my PIN
    And I dial the service
    And I enter "3", "4826"
    Then the session ends with "Wallet: GHS 0.00"

  # -- a dropped session can be resumed within 10 minutes ----------------------------------

  Scenario: dialling again soon after a drop offers to continue where I stopped
    Given I am a verified customer "Ama Mensah"
    When I dial the service
    And I enter "1", "1"
    Then I see "Choose a cylinder:"
    When my session drops
    And I dial again
    Then I am offered to continue "a deposit" or start over
    When I enter "1"
    Then I see "Choose a cylinder:"
    When I enter "2"
    Then I see "Total GHS 234.00"

  Scenario: I can start over instead
    Given I am a verified customer "Ama Mensah"
    When I dial the service
    And I enter "5"
    And my session drops
    And I dial again
    Then I am offered to continue "a refill" or start over
    When I enter "2"
    Then the screen starts with "Hi Ama"
    And I see "1. Make deposit"

  Scenario: registration continues with what I had typed
    Given I am not registered
    When I dial the service
    And I enter "1", "Ama", "Mensah"
    And my session drops
    And I dial again
    Then I am offered to continue "registration" or start over
    When I enter "1"
    Then I see "Enter your town or city"
    When I enter "Accra", "9", "4826", "4826"
    Then I see "Ama Mensah, Accra, no GPS address"

  Scenario Outline: a dropped session never resumes into a PIN or a payment confirmation
    Given I am a verified customer "Ama Mensah"
    And my wallet holds GHS 500
    When I dial the service
    And I enter <answers>
    Then I see "<dropped at>"
    When my session drops
    And I dial again
    Then I am offered to continue "<journey>" or start over
    When I enter "1"
    Then I see "<resumed at>"
    And I do not see "<dropped at>"
    And the session continues

    Examples:
      | answers                 | dropped at           | journey      | resumed at          |
      | "1", "1", "2", "1", "4" | Enter your PIN       | a deposit    | Choose a cylinder:  |
      | "1", "1", "2", "1"      | Pay GHS 234.00 with: | a deposit    | Choose a cylinder:  |
      | "1", "1", "2"           | Total GHS 234.00     | a deposit    | Choose a cylinder:  |
      | "1", "2", "50", "1"     | Pay GHS 50.00 with:  | a deposit    | enter amount in GHS |
      | "5", "1", "1"           | Pay GHS 42.00 with:  | a refill     | Refill gas:         |
      | "5", "2"                | Refill 6kg steel     | a refill     | Refill gas:         |
      | "6", "1", "4826"        | Enter your new       | your account | Change PIN          |

  Scenario: a drop at the PIN screens of registration resumes before the PIN
    Given I am not registered
    When I dial the service
    And I enter "1", "Ama", "Mensah", "Accra", "9", "4826"
    Then I see "Enter the same PIN again"
    When my session drops
    And I dial again
    Then I am offered to continue "registration" or start over
    When I enter "1"
    Then I see "Enter your GhanaPost GPS address"
    When I enter "9", "4826", "4826"
    Then I see "Ama Mensah, Accra, no GPS address"

  Scenario: a drop with nothing but a PIN to come back to starts afresh
    Given I am a verified customer "Ama Mensah"
    When I dial the service
    And I enter "3"
    Then I see "Enter your PIN to see your balance"
    When my session drops
    And I dial again
    Then the screen starts with "Hi Ama"
    And I do not see "Continue"

  Scenario: after 10 minutes the line starts afresh
    Given I am a verified customer "Ama Mensah"
    When I dial the service
    And I enter "1", "1"
    And my session drops
    And 11 minutes pass
    And I dial again
    Then the screen starts with "Hi Ama"
    And I do not see "Continue"

  Scenario: a session that ended is not offered again
    Given I am a verified customer "Ama Mensah"
    When I dial the service
    And I enter "4", "3"
    Then the session ends
    When I dial again
    Then the screen starts with "Hi Ama"
    And I do not see "Continue"

  # -- a repeated hop gets the same answer and changes nothing -----------------------------

  Scenario: confirming a cash-on-delivery order twice creates one order and one SMS
    Given I am a verified customer "Ama Mensah"
    When I dial the service
    And I enter "1", "1", "1", "1", "5"
    Then the session ends with "placed"
    When the network sends my last answer again
    Then I see the same screen as before
    And the session ends
    When the network sends my last answer again
    Then I see the same screen as before
    And I have 1 order
    And I receive 1 SMS containing "Pay GHS 142.00 on delivery"

  Scenario: confirming registration twice registers me once
    Given I am not registered
    When I dial the service
    And I enter "1", "Ama", "Mensah", "Accra", "9", "4826", "4826", "1"
    Then the session ends with "will be verified"
    When the network sends my last answer again
    Then I see the same screen as before
    And the session ends with "will be verified"
    And I do not see "already registered"
    And I receive 1 SMS containing "registration was received"

  Scenario: paying by mobile money twice over sends one payment request
    Given I am a verified customer "Ama Mensah"
    When I dial the service
    And I enter "1", "1", "1", "1", "1"
    Then the session ends with "Approve the GHS 142.00 prompt"
    When the network sends my last answer again
    Then I see the same screen as before
    And I have 1 order
    And 1 payment request was sent

  Scenario: a repeated wrong entry is not counted twice
    Given I am a verified customer "Ama Mensah"
    When I dial the service
    And I enter "1", "2", "abc"
    And the network sends my last answer again
    And the network sends my last answer again
    Then I see the same screen as before
    When I enter "xyz"
    Then the session continues
    And I see "Enter whole cedis"
    When I enter "50"
    Then I see "Top up GHS 50.00"

  Scenario: an older answer sent again after a newer one changes nothing
    Given I am a verified customer "Ama Mensah"
    When I dial the service
    And I enter "1", "1"
    Then I see "Choose a cylinder:"
    When the network sends my answer before last again
    Then I see the same screen as before
    When I enter "2"
    Then I see "Total GHS 234.00"

  # -- an answer containing * is one answer ------------------------------------------------

  Scenario: an answer containing * is read as one answer, not split
    Given I am not registered
    When I dial the service
    And I enter "1", "Ama*Mensah"
    Then I see "Use letters only." above the same screen as before
    When I enter "Ama", "Mensah", "Accra", "GA*183*8164"
    Then the screen starts with "That is not a GPS address."
    When I enter "GA-183-8164", "4826", "4826"
    Then I see "Ama Mensah, Accra, GA-183-8164"

  Scenario Outline: a menu answer containing * is a wrong choice, not its last part
    Given I am a verified customer "Ama Mensah"
    When I dial the service
    And I enter "1", "<answer>"
    Then I see "Choose a number shown." above the same screen as before

    Examples:
      | answer |
      | 1*2    |
      | *3     |
      | 4*     |
      | *      |
